import { Principal } from '@nomad-mcp/auth';
import { AppConfig } from '../../config/env.schema';
import { ConfirmationGate, ConfirmationNeeded } from './confirmation.gate';
import { ConfirmationSigner } from './confirmation-token';
import { ChangePlan, OperationContext, OperationDefinition, OperationHandler } from './operation';
import { OperationFailure } from './operation-failure';

const def = (destructive: boolean, name = 'stop_job'): OperationDefinition => ({
  name, title: 'Stop job', description: '', input: Object as never, output: Object as never,
  annotations: { readOnly: false, destructive, idempotent: true }, permission: 'operate', order: 1, rest: { method: 'POST', path: 'x' },
});

const alice: Principal = { name: 'alice', kind: 'api-key', permissions: ['operate'] };
const bob: Principal = { name: 'bob', kind: 'api-key', permissions: ['operate'] };
const plainKey: Principal = { name: 'key-1234abcd', kind: 'api-key' };

function setup(auth: Partial<AppConfig['auth']> = {}) {
  const gate = new ConfirmationGate({ auth: { readOnly: false, confirmTtlSeconds: 60, ...auth } } as AppConfig);
  let index = 10;
  const handler: OperationHandler = {
    run: async () => ({ message: 'done' }),
    plan: async (): Promise<ChangePlan> => ({ summary: 'stop job web: 2 allocations stop.', destructive: true, modify_index: index }),
  };
  const ctx = (principal: Principal) => ({ principal }) as OperationContext;
  const admit = (principal: Principal, input: object, d = def(true)) => gate.admit(d, handler, ctx(principal), input);
  const tokenOf = async (principal: Principal, input: object): Promise<string> => {
    const err = await admit(principal, input).catch((e) => e);
    expect(err).toBeInstanceOf(ConfirmationNeeded);
    return err.body.confirmation.confirm_token;
  };
  return { gate, admit, tokenOf, setIndex: (i: number) => (index = i) };
}

describe('ConfirmationGate', () => {
  it('policy: the identity\'s own, else NOMAD_MCP_CONFIRM, else destructive for identities and off for plain keys', () => {
    expect(setup().gate.policyFor(alice)).toBe('destructive');
    expect(setup().gate.policyFor(plainKey)).toBe('off');
    expect(setup({ confirmPolicy: 'writes' }).gate.policyFor(plainKey)).toBe('writes');
    expect(setup({ confirmPolicy: 'off' }).gate.policyFor(alice)).toBe('off');
    expect(setup({ confirmPolicy: 'off' }).gate.policyFor({ ...alice, confirm: 'writes' })).toBe('writes');
  });

  it('answers the plan (428) with a token instead of running, then admits the same call with it once', async () => {
    const { admit, tokenOf } = setup();
    const err = await admit(alice, { job_id: 'web' }).catch((e) => e);
    expect(err.body).toMatchObject({ statusCode: 428, message: 'Nothing was changed: stop_job needs the user\'s confirmation. Plan: stop job web: 2 allocations stop.' });
    expect(err.body.next_step).toContain('call stop_job again with the same arguments and confirm_token "v1.');
    const token = await tokenOf(alice, { job_id: 'web' });
    await expect(admit(alice, { job_id: 'web', confirm_token: token })).resolves.toBeUndefined();
    const again = await admit(alice, { job_id: 'web', confirm_token: token }).catch((e) => e);
    expect(again.body).toMatchObject({ statusCode: 409, message: expect.stringContaining('already used') });
    expect(again.body.confirmation.confirm_token).not.toBe(token); // a fresh plan to confirm instead
  });

  it('tells decisions$ each decision: planned without a token, accepted, refused for a used or foreign one; nothing when no confirmation is needed', async () => {
    const { gate, admit, tokenOf } = setup();
    const seen: string[] = [];
    gate.decisions$.subscribe((d) => seen.push(`${d.operation}:${d.decision}`));
    const token = await tokenOf(alice, { job_id: 'web' });
    await admit(alice, { job_id: 'web', confirm_token: token });
    await admit(alice, { job_id: 'web', confirm_token: token }).catch(() => undefined);
    await admit(bob, { job_id: 'web', confirm_token: token }).catch(() => undefined);
    await admit(plainKey, { job_id: 'web' });
    expect(seen).toEqual(['stop_job:planned', 'stop_job:accepted', 'stop_job:refused', 'stop_job:refused']);
  });

  it('refuses a token of another caller, an altered one, and one from another secret (403, no fresh token)', async () => {
    const { admit, tokenOf } = setup();
    const token = await tokenOf(alice, { job_id: 'web' });
    const foreign = await admit(bob, { job_id: 'web', confirm_token: token }).catch((e) => e);
    expect(foreign.body).toMatchObject({ statusCode: 403, message: expect.stringContaining('issued to another caller') });
    const [v, body, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const altered = `${v}.${Buffer.from(JSON.stringify({ ...claims, who: 'bob' })).toString('base64url')}.${mac}`;
    const forged = await admit(bob, { job_id: 'web', confirm_token: altered }).catch((e) => e);
    expect(forged.body).toMatchObject({ statusCode: 403, message: expect.stringContaining('signature does not match') });
    expect(forged.body.confirmation).toBeUndefined();
    const elsewhere = new ConfirmationSigner('another deployment secret, 32+ chars long').sign({ ...claims, exp: Date.now() + 1000 }).token;
    expect((await admit(alice, { job_id: 'web', confirm_token: elsewhere }).catch((e) => e)).body.statusCode).toBe(403);
  });

  it('a token is bound to the arguments and the job modify index', async () => {
    const { admit, tokenOf, setIndex } = setup();
    const token = await tokenOf(alice, { job_id: 'web', purge: false });
    const other = await admit(alice, { job_id: 'web', purge: true, confirm_token: token }).catch((e) => e);
    expect(other.body).toMatchObject({ statusCode: 428, message: expect.stringContaining('issued for other arguments') });
    setIndex(11);
    const stale = await admit(alice, { purge: false, job_id: 'web', confirm_token: token }).catch((e) => e);
    expect(stale.body).toMatchObject({ statusCode: 409, message: expect.stringContaining('modify index 10, now 11') });
    await expect(admit(alice, { job_id: 'web', purge: false, confirm_token: stale.body.confirmation.confirm_token })).resolves.toBeUndefined();
  });

  it('an expired token gets a fresh plan', async () => {
    const { admit, tokenOf } = setup();
    const token = await tokenOf(alice, { job_id: 'web' });
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);
    try {
      const err = await admit(alice, { job_id: 'web', confirm_token: token }).catch((e) => e);
      expect(err.body).toMatchObject({ statusCode: 428, message: expect.stringContaining('expired') });
    } finally {
      later.mockRestore();
    }
  });

  it('policy destructive lets non-destructive plans through; writes does not; off and plain keys never ask', async () => {
    const calm: OperationHandler = { run: async () => ({ message: '' }), plan: async () => ({ summary: 'start', destructive: false, modify_index: 1 }) };
    const ctx = (p: Principal) => ({ principal: p }) as OperationContext;
    await expect(setup().gate.admit(def(false, 'start_job'), calm, ctx(alice), {})).resolves.toBeUndefined();
    const err = await setup({ confirmPolicy: 'writes' }).gate.admit(def(false, 'start_job'), calm, ctx(plainKey), {}).catch((e) => e);
    expect(err).toBeInstanceOf(ConfirmationNeeded);
    await expect(setup().admit(plainKey, { job_id: 'web' })).resolves.toBeUndefined();
    await expect(setup().admit({ ...alice, confirm: 'off' }, { job_id: 'web' })).resolves.toBeUndefined();
    expect(err).toBeInstanceOf(OperationFailure);
  });
});
