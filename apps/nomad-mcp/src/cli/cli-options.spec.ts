import { CliUsageError, parseCliOptions } from './cli-options';

const OPTIONS = { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const parse = (...argv: string[]) => parseCliOptions('nomad-mcp key', argv, OPTIONS);
const refused = (...argv: string[]) => {
  try {
    parse(...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CliUsageError);
    return (err as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

/** The options of every `nomad-mcp` command: strict, and each refusal names the option and what exists. */
describe('nomad-mcp command options', () => {
  it('reads --name value, --name=value, flags and short flags; leaves options not given out', () => {
    expect(parse('--name', 'ci-bot', '--scopes=read,operate', '--json')).toEqual({ name: 'ci-bot', scopes: 'read,operate', json: true });
    expect(parse('-h')).toEqual({ help: true });
    expect(parse()).toEqual({});
    // an inline value may hold anything, an equals sign or a leading dash included
    expect(parse('--name=a=b', '--scopes=-x')).toEqual({ name: 'a=b', scopes: '-x' });
  });

  it('refuses an unknown option, naming it and listing those that exist', () => {
    expect(refused('--nmae', 'x')).toBe('unknown option --nmae; nomad-mcp key takes --name, --scopes, --json, --help (-h)');
    expect(refused('--name=x', '--port=1')).toBe('unknown option --port; nomad-mcp key takes --name, --scopes, --json, --help (-h)');
    expect(refused('-x')).toBe('unknown option -x; nomad-mcp key takes --name, --scopes, --json, --help (-h)');
  });

  it('refuses arguments that are not options', () => {
    expect(refused('ci-bot')).toBe('unexpected argument "ci-bot"; nomad-mcp key takes --name, --scopes, --json, --help (-h)');
    expect(refused('--name', 'a', 'b')).toMatch(/^unexpected argument "b"/);
    expect(parseCliOptions.bind(null, 'nomad-mcp stdio', ['x'], {})).toThrow('unexpected argument "x"; nomad-mcp stdio takes no options');
  });

  it('says when a value is missing, given to a flag, or an option is given twice', () => {
    expect(refused('--name')).toBe('--name needs a value');
    // the value forgotten before the next option: not taken as the name
    expect(refused('--name', '--scopes', 'read')).toBe('--name needs a value');
    expect(refused('--json=yes')).toBe('--json takes no value');
    expect(refused('--name', 'a', '--name=b')).toBe('--name is given twice; give it once');
  });
});
