import { encodeSegment, nomadPath, UnaddressableSegmentError } from './nomad-path';

describe('nomadPath', () => {
  it('encodes each caller segment on its own', () => {
    expect(nomadPath`job/${'web'}/allocations`).toBe('/v1/job/web/allocations');
    expect(nomadPath`job/${'../v1/acl/tokens'}`).toBe('/v1/job/..%2Fv1%2Facl%2Ftokens');
    expect(nomadPath`job/${'x?y=z'}/summary`).toBe('/v1/job/x%3Fy%3Dz/summary');
    expect(nomadPath`job/${'a#b'}`).toBe('/v1/job/a%23b');
    expect(nomadPath`job/${'parent/dispatch-1-ab'}`).toBe('/v1/job/parent%2Fdispatch-1-ab');
    expect(nomadPath`job/${'%2e%2e'}`).toBe('/v1/job/%252e%252e');
  });

  it('refuses segments no URL can carry', () => {
    for (const s of ['', '.', '..']) expect(() => encodeSegment(s)).toThrow(UnaddressableSegmentError);
    expect(encodeSegment('...')).toBe('...');
  });

  it('survives URL parsing unchanged (what axios does with it)', () => {
    for (const id of ['../v1/acl/tokens', 'a/../../x', '...', 'x?y=z']) {
      const url = new URL(`http://nomad:4646${nomadPath`job/${id}`}`);
      expect(url.pathname).toBe(`/v1/job/${encodeURIComponent(id)}`);
      expect(url.search).toBe('');
    }
  });
});
