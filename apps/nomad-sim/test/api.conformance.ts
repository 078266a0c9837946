import { uniqueId } from '../../../test/support/http';
import { specErrors } from '../../../test/support/openapi';
import { conformanceApi, openTarget, Target } from './target';

/**
 * Nomad HTTP API conformance: transport, status codes, plain-text errors, headers, namespaces and nodes.
 * Shapes are checked against the OpenAPI spec with BEHAVIOUR.md's errata. Runs against the simulator by
 * default, or against NOMAD_ADDR.
 */
describe('Nomad API conformance: transport, namespaces and nodes', () => {
  let t: Target;
  const created: string[] = [];
  const { api, expectPlainError } = conformanceApi(() => t, created);

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(async () => {
    for (const id of created) await api('DELETE', `/v1/job/${encodeURIComponent(id)}?purge=true`);
    await t.close();
  });

  describe('transport and errors', () => {
    it('answers the leader as a JSON string without meta headers', async () => {
      const r = await api('GET', '/v1/status/leader');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(typeof r.json).toBe('string');
      expect(r.json).toMatch(/:\d+$/);
      expect(r.headers.get('x-nomad-index')).toBeNull();
    });

    it('reports itself at /v1/agent/self with lower-case top-level keys and a Version object', async () => {
      const r = await api('GET', '/v1/agent/self');
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(expect.arrayContaining(['config', 'member', 'stats']));
      expect(typeof r.json.config.Region).toBe('string');
      expect(typeof r.json.config.Datacenter).toBe('string');
      expect(typeof r.json.config.Version.Version).toBe('string');
      expect(r.json.member.Name).toContain('.');
    });

    it('lists regions', async () => {
      const r = await api('GET', '/v1/regions');
      expect(r.status).toBe(200);
      expect(specErrors('GET', '/regions', r.json)).toEqual([]);
      expect(r.json.length).toBeGreaterThan(0);
    });

    it('redirects / to the UI and indents JSON with ?pretty', async () => {
      const root = await api('GET', '/');
      expect(root.status).toBe(307);
      expect(root.headers.get('location')).toBe('/ui/');
      const pretty = await api('GET', '/v1/regions?pretty');
      expect(pretty.text).toMatch(/^\[\n {4}"/);
      expect(pretty.text.endsWith('\n')).toBe(true);
    });

    it('serves its own region and has no path to others', async () => {
      const region = (await api('GET', '/v1/agent/self')).json.config.Region;
      expect((await api('GET', `/v1/jobs?region=${region}`)).status).toBe(200);
      expectPlainError(await api('GET', '/v1/jobs?region=no-such-region-x'), 500, 'No path to region');
    });

    it('answers an unknown path with 404 and an empty body', async () => {
      const r = await api('GET', '/v1/no-such-endpoint');
      expect(r.status).toBe(404);
      expect(r.text).toBe('');
    });

    it('answers a wrong verb with 405 Invalid method', async () => {
      expectPlainError(await api('DELETE', '/v1/jobs'), 405, 'Invalid method');
    });

    it('answers a wrong verb with 405 before anything else is checked (ACL state, unimplemented parts)', async () => {
      expectPlainError(await api('PATCH', '/v1/acl/policy/any-policy'), 405, 'Invalid method');
      expectPlainError(await api('DELETE', '/v1/job/any-job/submission?version=0'), 405, 'Invalid method');
    });

    it('rejects malformed blocking and paging parameters with 400 and Nomad texts', async () => {
      expectPlainError(await api('GET', '/v1/jobs?wait=soon&index=1'), 400, 'Invalid wait time');
      expectPlainError(await api('GET', '/v1/jobs?index=abc'), 400, 'Invalid index');
      expectPlainError(await api('GET', '/v1/jobs?per_page=many'), 400, 'Expect a number for `per_page` query string parameter');
      expectPlainError(await api('GET', '/v1/jobs?filter=' + encodeURIComponent('Status ==')), 400, /^failed to create result paginator: /);
    });
  });

  describe('namespaces and nodes', () => {
    it('always has the default namespace, sorted lists, and 404 text for a missing one', async () => {
      const r = await api('GET', '/v1/namespaces');
      expect(r.status).toBe(200);
      expect(specErrors('GET', '/namespaces', r.json)).toEqual([]);
      const def = r.json.find((n: any) => n.Name === 'default');
      expect(def.Description).toBe('Default shared namespace');
      const names = r.json.map((n: any) => n.Name);
      expect(names).toEqual([...names].sort());
      expectPlainError(await api('GET', '/v1/namespace/does-not-exist-x'), 404, 'Namespace not found');
    });

    it('creates, reads and deletes a namespace (200 with empty body on writes)', async () => {
      const name = uniqueId('conf-ns');
      const put = await api('PUT', `/v1/namespace/${name}`, { Name: name, Description: 'conformance' });
      expect(put.status).toBe(200);
      expect(put.text).toBe('');
      const got = await api('GET', `/v1/namespace/${name}`);
      expect(got.status).toBe(200);
      expect(specErrors('GET', '/namespace/{namespaceName}', got.json)).toEqual([]);
      expect(got.json).toMatchObject({ Name: name, Description: 'conformance' });
      expect(Number(got.headers.get('x-nomad-index'))).toBeGreaterThan(0);
      const mismatch = await api('POST', `/v1/namespace/${name}`, { Name: 'other-name' });
      expectPlainError(mismatch, 400, 'Namespace name does not match request path');
      expect((await api('DELETE', `/v1/namespace/${name}`)).status).toBe(200);
      expect((await api('GET', `/v1/namespace/${name}`)).status).toBe(404);
    });

    it('lists ready nodes with a healthy docker driver, and serves the node with its HTTPAddr', async () => {
      const r = await api('GET', '/v1/nodes');
      expect(r.status).toBe(200);
      expect(specErrors('GET', '/nodes', r.json)).toEqual([]);
      const ready = r.json.filter((n: any) => n.Status === 'ready' && n.Drivers?.docker?.Healthy);
      expect(ready.length).toBeGreaterThan(0);
      expect(r.json[0].Attributes).toBeUndefined();
      const node = await api('GET', `/v1/node/${ready[0].ID}`);
      expect(node.status).toBe(200);
      expect(typeof node.json.HTTPAddr).toBe('string');
      // Node.Stub(): the stub's Address is the host part of the node's HTTPAddr
      for (const stub of r.json) {
        const full = await api('GET', `/v1/node/${stub.ID}`);
        expect(full.json.HTTPAddr).toMatch(/:\d+$/);
        expect(full.json.HTTPAddr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')).toBe(stub.Address);
      }
    });
  });
});
