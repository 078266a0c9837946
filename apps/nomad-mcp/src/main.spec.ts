import { CommandResult } from './cli/commands';
import { runCli, USAGE } from './main';
import { VERSION } from './version';

const COMMANDS = ['serve', 'stdio', 'demo', 'sim', 'audit', 'key', 'check'];

/** Runs the command line in-process with captured output. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: CommandResult; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(argv, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) }, env);
  return { code, ...out };
}

/** `nomad-mcp [command]`: which command runs, each one's --help, and one line with exit 2 for a bad command line. */
describe('nomad-mcp command line', () => {
  it('--help, -h and help list every command', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      expect(await cli(argv)).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    }
    for (const name of COMMANDS) expect(USAGE).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it('every command answers --help (and help <command>) with its usage, exit 0', async () => {
    for (const name of COMMANDS) {
      const r = await cli([name, '--help']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^Usage: nomad-mcp ${name}\\b`));
      expect((await cli(['help', name])).stdout).toBe(r.stdout);
      expect((await cli([name, '-h'])).stdout).toBe(r.stdout);
    }
    expect((await cli(['--stdio', '--help'])).stdout).toMatch(/^Usage: nomad-mcp stdio/);
  });

  it('--version prints the version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `nomad-mcp ${VERSION}\n`, stderr: '' });
  });

  it('an unknown command or option: exit 2, one line naming it and what exists', async () => {
    const exists = 'the commands are serve, stdio, demo, sim, audit, key, check (options: --help, --version, --stdio); see nomad-mcp --help\n';
    expect(await cli(['deploy'])).toEqual({ code: 2, stdout: '', stderr: `nomad-mcp: unknown command "deploy"; ${exists}` });
    expect(await cli(['--port=80'])).toEqual({ code: 2, stdout: '', stderr: `nomad-mcp: unknown option --port; ${exists}` });
    expect(await cli(['help', 'deploy'])).toEqual({ code: 2, stdout: '', stderr: `nomad-mcp: unknown command "deploy"; ${exists}` });
  });

  it("a command's unknown option or bad value: exit 2, one line with the command's name", async () => {
    expect(await cli(['serve', '--port', '80'])).toEqual({ code: 2, stdout: '', stderr: 'nomad-mcp serve: unknown option --port; nomad-mcp serve takes --help (-h)\n' });
    expect(await cli(['--stdio', '--verbose'])).toEqual({ code: 2, stdout: '', stderr: 'nomad-mcp: unknown option --verbose; nomad-mcp stdio takes --help (-h)\n' });
    expect(await cli(['key', '--scopes', 'read'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^nomad-mcp key: --name is required: .*; see nomad-mcp key --help\n$/) });
    expect(await cli(['check', 'now'])).toEqual({ code: 2, stdout: '', stderr: 'nomad-mcp check: unexpected argument "now"; nomad-mcp check takes --help (-h)\n' });
    expect(await cli(['sim', '--port', 'x'])).toEqual({ code: 2, stdout: '', stderr: 'nomad-mcp sim: --port must be a whole number from 0 to 65535 (got "x"); see nomad-mcp sim --help\n' });
    expect(await cli(['sim', '--seed=yes'])).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(/^nomad-mcp sim: --seed takes no value; see nomad-mcp sim --help\n$/) });
    expect(await cli(['demo', '--sim-port', '70000'])).toEqual({ code: 2, stdout: '', stderr: 'nomad-mcp demo: --sim-port must be a port number, 0-65535 (got "70000"); see nomad-mcp demo --help\n' });
    expect(await cli(['audit', '--bogus'])).toEqual({ code: 2, stdout: '', stderr: 'nomad-mcp audit: unknown option --bogus; see nomad-mcp audit --help\n' });
  });

  it('key prints a key and its entry, exit 0', async () => {
    const r = await cli(['key', '--name', 'ci-bot', '--scopes', 'read']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nnmcp_[A-Za-z0-9_-]{43}\n[\s\S]*  - name: ci-bot\n    key_sha256: [0-9a-f]{64}\n    scopes: \[read\]\n$/);
  });

  it('a bad setting stops serve with one line (nomad-mcp: as before, without a command) and fails check', async () => {
    expect(await cli([], { PORT: 'eighty' })).toEqual({ code: 1, stdout: '', stderr: 'nomad-mcp: Invalid configuration: "PORT" must be a number (got "eighty")\n' });
    expect(await cli(['serve'], { PORT: 'eighty' })).toEqual({ code: 1, stdout: '', stderr: 'nomad-mcp serve: Invalid configuration: "PORT" must be a number (got "eighty")\n' });
    const check = await cli(['check'], { NOMAD_ADDR: 'ftp://nomad' });
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('problem  settings  Invalid configuration: "NOMAD_ADDR" must be an http:// or https:// URL, e.g. http://127.0.0.1:4646, or unix:///path/to/api.sock (got "ftp://nomad")\n\n1 problem: fix it and run nomad-mcp check again.\n');
  });
});
