import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nomadPath } from '../nomad-path';
import { nomadEndpoint, NOMAD_ENDPOINT_TEMPLATES } from './nomad-endpoint';

/** Every `nomadPath\`…\`` template in the service's and the client's sources. */
function nomadPathTemplates(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...nomadPathTemplates(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      for (const m of readFileSync(p, 'utf8').matchAll(/nomadPath`([a-z][^`]*)`/g)) found.push(m[1]);
    }
  }
  return found;
}

describe('nomadEndpoint', () => {
  it('names the endpoint by its template, never by the IDs in the path', () => {
    expect(nomadEndpoint('GET', nomadPath`job/${'web-1'}/allocations`)).toBe('GET /v1/job/:job_id/allocations');
    expect(nomadEndpoint('GET', nomadPath`job/${'parent/dispatch-1-ab'}`)).toBe('GET /v1/job/:job_id');
    expect(nomadEndpoint('POST', nomadPath`deployment/promote/${'5c1e0a9b'}`)).toBe('POST /v1/deployment/promote/:deployment_id');
    expect(nomadEndpoint('GET', nomadPath`client/fs/logs/${'5c1e0a9b'}`)).toBe('GET /v1/client/fs/logs/:alloc_id');
    expect(nomadEndpoint('GET', nomadPath`jobs`)).toBe('GET /v1/jobs');
    expect(nomadEndpoint('GET', nomadPath`status/leader`)).toBe('GET /v1/status/leader');
  });

  it('prefers a literal segment, and still takes an ID that spells one', () => {
    expect(nomadEndpoint('POST', nomadPath`jobs/parse`)).toBe('POST /v1/jobs/parse');
    // a job named "summary", and one named "allocations" under deployment/: IDs where the template wants them
    expect(nomadEndpoint('GET', nomadPath`job/${'summary'}`)).toBe('GET /v1/job/:job_id');
    expect(nomadEndpoint('GET', nomadPath`job/${'scale'}/scale`)).toBe('GET /v1/job/:job_id/scale');
    expect(nomadEndpoint('GET', nomadPath`deployment/${'allocations'}`)).toBe('GET /v1/deployment/:deployment_id');
  });

  it("answers 'other' for a path no template matches, so a label never carries an unknown path", () => {
    expect(nomadEndpoint('GET', '/v1/job/a/b/c/d')).toBe('GET other');
    expect(nomadEndpoint('GET', '/v1/unknown-thing')).toBe('GET other');
    expect(nomadEndpoint('GET', '/v1/job/')).toBe('GET other');
    expect(nomadEndpoint('GET', '/elsewhere')).toBe('GET other');
  });

  it('has a template for every path the client and the service build (a new endpoint needs one)', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    const templates = [...nomadPathTemplates(join(root, 'libs/nomad/src')), ...nomadPathTemplates(join(root, 'apps/nomad-mcp/src'))];
    expect(templates.length).toBeGreaterThan(30);
    for (const t of new Set(templates)) {
      const built = `/v1/${t.replace(/\$\{[^}]*\}/g, 'an-id%2Fwith-slash')}`;
      const expected = `GET /v1/${t.replace(/\$\{[^}]*\}/g, ':')}`;
      const got = nomadEndpoint('GET', built).replace(/:[a-z_]+/g, ':');
      expect({ template: t, got }).toEqual({ template: t, got: expected });
    }
  });

  it('lists each template once', () => {
    expect(new Set(NOMAD_ENDPOINT_TEMPLATES).size).toBe(NOMAD_ENDPOINT_TEMPLATES.length);
  });
});
