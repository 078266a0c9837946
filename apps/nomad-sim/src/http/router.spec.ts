import { Router, routingPath } from './router';

describe('Router (Nomad path rules on find-my-way)', () => {
  const r = new Router();
  const job = jest.fn();
  const summary = jest.fn();
  const force = jest.fn();
  r.get('/v1/job/:id', job).write('/v1/job/:id', job).delete('/v1/job/:id', job);
  r.get('/v1/job/:id/summary', summary);
  r.write('/v1/job/:id/periodic/force', force);
  r.get('/v1/namespace/:name', job);
  r.get('/v1/allocation/:id', job);

  const params = (method: string, path: string) => {
    const m = r.match(method, path);
    return typeof m === 'object' ? m.params : m;
  };

  it('takes everything between /v1/job/ and a known suffix as the job ID, slashes included', () => {
    expect(routingPath('/v1/job/parent/dispatch-1/summary')).toBe('/v1/job/parent%2Fdispatch-1/summary');
    expect(params('GET', '/v1/job/parent/dispatch-1/summary')).toEqual({ id: 'parent/dispatch-1' });
    expect(params('GET', '/v1/job/parent/dispatch-1')).toEqual({ id: 'parent/dispatch-1' });
    expect(params('PUT', '/v1/job/a/b/periodic/force')).toEqual({ id: 'a/b' });
    // an unknown suffix is part of the ID
    expect(params('GET', '/v1/job/a/nonsense')).toEqual({ id: 'a/nonsense' });
    expect((r.match('GET', '/v1/job/a/summary') as { handler: unknown }).handler).toBe(summary);
  });

  it('keeps decoded special characters inside one parameter', () => {
    expect(params('GET', '/v1/job/x?y%z')).toEqual({ id: 'x?y%z' });
    expect(params('GET', '/v1/namespace/a/b')).toEqual({ name: 'a/b' });
    expect(params('GET', '/v1/job/' + 'j'.repeat(500))).toEqual({ id: 'j'.repeat(500) });
  });

  it('answers an unknown path with undefined (404) and a known path with another verb with 405', () => {
    expect(r.match('GET', '/v1/no-such')).toBeUndefined();
    expect(r.match('GET', '/v1/job/')).toBeUndefined();
    // other IDs do not run to the end of the path
    expect(r.match('GET', '/v1/allocation/a/b')).toBeUndefined();
    expect(r.match('PATCH', '/v1/job/x')).toBe('method-not-allowed');
    expect(r.match('HEAD', '/v1/job/x/summary')).toBe('method-not-allowed');
    expect(r.match('DELETE', '/v1/job/x/summary')).toBe('method-not-allowed');
  });
});
