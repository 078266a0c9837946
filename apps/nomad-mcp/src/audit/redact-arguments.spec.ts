import { REDACTED, redactArguments } from './redact-arguments';

describe('redactArguments', () => {
  it('redacts the value under any key named like a secret, whatever its type, and keeps the rest', () => {
    const out = redactArguments({
      job_id: 'web', count: 2, dry_run: false, note: null,
      token: 't', confirmation_token: 'ct', 'X-Nomad-Token': 'xt', password: 'p', db_passwd: 'p2', client_secret: 's', secretName: 's2',
      api_key: 'k', privateKey: { pem: 'k2' }, keys: ['a', 'b'], credentials: 'c', Authorization: 'Bearer x', cookie: 'sid=1', passphrase: 'pp',
      nothing_token: null,
    });
    expect(out).toEqual({
      job_id: 'web', count: 2, dry_run: false, note: null,
      token: REDACTED, confirmation_token: REDACTED, 'X-Nomad-Token': REDACTED, password: REDACTED, db_passwd: REDACTED, client_secret: REDACTED,
      secretName: REDACTED, api_key: REDACTED, privateKey: REDACTED, keys: REDACTED, credentials: REDACTED, Authorization: REDACTED, cookie: REDACTED,
      passphrase: REDACTED, nothing_token: null,
    });
  });

  it('keeps the names of environment variables and hides every value, in maps and NAME=value lists, at any depth', () => {
    const out = redactArguments({
      env_vars: { LOG_LEVEL: 'debug', DB_URL: 'postgres://u:pw@db/x' },
      job: { TaskGroups: [{ Tasks: [{ Name: 'app', Env: { A: '1' }, Config: { image: 'nginx', environment: ['X=secret', 'BARE'] } }] }] },
      ENV: 'FOO=bar',
    });
    expect(out).toEqual({
      env_vars: { LOG_LEVEL: REDACTED, DB_URL: REDACTED },
      job: { TaskGroups: [{ Tasks: [{ Name: 'app', Env: { A: REDACTED }, Config: { image: 'nginx', environment: [`X=${REDACTED}`, REDACTED] } }] }] },
      ENV: REDACTED,
    });
    expect(JSON.stringify(out)).not.toMatch(/debug|pw@|secret|bar|"1"/);
  });

  it('a jobspec keeps its shape: Env values and template bodies redacted, HCL text kept with those values hidden', () => {
    const job = { ID: 'web', TaskGroups: [{ Tasks: [{ Env: { DB_PASSWORD: 'pw1' }, Templates: [{ EmbeddedTmpl: '{{ secret "x" }}', DestPath: 'local/a' }] }] }] };
    const out = redactArguments({ job, hcl: 'task "t" {\n  env {\n    A = "pw2"\n  }\n  driver = "docker"\n}' }) as any;
    expect(out.job.TaskGroups[0].Tasks[0]).toEqual({ Env: { DB_PASSWORD: REDACTED }, Templates: [{ EmbeddedTmpl: REDACTED, DestPath: 'local/a' }] });
    expect(out.hcl).toBe('task "t" {\n  env {\n    A = "(hidden)"\n  }\n  driver = "docker"\n}');
    expect(JSON.stringify(out)).not.toMatch(/pw1|pw2|secret "x"/);
  });

  it("a command line keeps its words but secret flags' values; a dispatch payload is redacted whole", () => {
    const job = { TaskGroups: [{ Tasks: [{ Config: { image: 'app:1', args: ['--port', '8080', '--password', 'pw3', '--token=pw4', 'postgres://u:pw5@db/x'] } }] }] };
    const out = redactArguments({ job, payload: 'password=pw6', meta: { region: 'eu' } }) as any;
    expect(out.job.TaskGroups[0].Tasks[0].Config).toEqual({ image: 'app:1', args: ['--port', '8080', '--password', '(hidden)', '--token=(hidden)', 'postgres://u:(hidden)@db/x'] });
    expect(out.payload).toBe(REDACTED);
    expect(out.meta).toEqual({ region: 'eu' });
    expect(JSON.stringify(out)).not.toMatch(/pw[3-6]/);
  });

  it('does not change its input', () => {
    const input = { token: 't', env_vars: { A: 'a' }, list: [{ password: 'p' }] };
    const copy = structuredClone(input);
    redactArguments(input);
    expect(input).toEqual(copy);
  });

  it('returns plain JSON: __proto__ stays data, Dates become ISO, non-finite numbers null, functions and undefined dropped', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true, "token": "t"}, "a": 1}') as object;
    const out = redactArguments({ ...input, at: new Date('2026-01-01T00:00:00Z'), n: Infinity, f: () => 1, u: undefined, big: 10n, list: [undefined, 1] }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual({ ['__proto__']: { polluted: true, token: REDACTED }, a: 1, at: '2026-01-01T00:00:00.000Z', n: null, big: '10', list: [null, 1] });
  });

  it('passes primitives through and stops walking absurdly deep values', () => {
    expect(redactArguments('text')).toBe('text');
    expect(redactArguments(undefined)).toBeUndefined();
    let deep: Record<string, unknown> = { token: 'bottom' };
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const text = JSON.stringify(redactArguments(deep));
    expect(text).toContain('[too deep]');
    expect(text).not.toContain('bottom');
  });
});
