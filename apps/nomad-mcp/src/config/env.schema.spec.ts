import { loadConfig } from './env.schema';

describe('loadConfig', () => {
  it('uses Nomad\'s own defaults and variables', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8000, nomadAddr: 'http://127.0.0.1:4646', defaultNamespace: 'development', nomadTimeoutMs: 10000, nomadSkipVerify: false });
    expect(loadConfig({ NOMAD_NAMESPACE: 'prod' }).defaultNamespace).toBe('prod');
    expect(loadConfig({ NOMAD_NAMESPACE: 'prod', DEFAULT_NAMESPACE: 'dev' }).defaultNamespace).toBe('dev');
    expect(loadConfig({ NOMAD_SKIP_VERIFY: '1' }).nomadSkipVerify).toBe(true);
  });

  it('stops on a bad value with one clear line naming it', () => {
    const err = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err({ PORT: 'eighty' })).toBe('Invalid configuration: "PORT" must be a number (got "eighty")');
    expect(err({ NOMAD_ADDR: 'nomad:4646' })).toMatch(/^Invalid configuration: "NOMAD_ADDR" must be a valid uri with a scheme matching the http\|https pattern/);
    expect(err({ NOMAD_TIMEOUT_MS: '5' })).toMatch(/NOMAD_TIMEOUT_MS" must be greater than or equal to 100/);
    expect(err({ PORT: 'x' }).split('\n')).toHaveLength(1);
    expect(err({ NOMAD_CACERT: '/nope/ca.pem' })).toBe('Invalid configuration: "NOMAD_CACERT" must be a readable file (got "/nope/ca.pem")');
    expect(err({ NOMAD_CLIENT_CERT: __filename })).toBe('Invalid configuration: "NOMAD_CLIENT_KEY" is required');
  });

  it('never echoes a secret value', () => {
    expect(() => loadConfig({ NOMAD_TOKEN: { bad: true } as unknown as string })).toThrow(/^Invalid configuration: "NOMAD_TOKEN" must be a string$/);
  });
});
