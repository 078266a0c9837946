import { JobListStub } from '@nomad-mcp/nomad';
import { page } from '../operations/core/paging';
import { JOB_TOKEN } from './nomad-reads';

const stub = (Namespace: string, ID: string) => ({ Namespace, ID }) as JobListStub;

describe('JOB_TOKEN (the job list paged from the cache)', () => {
  const all = JOB_TOKEN.sort([stub('dev', 'b'), stub('default', 'z'), stub('dev', 'a'), stub('dev-2', 'a'), stub('dev', 'a.b')]);

  it('orders by the token itself, so that "at or after a token" walks the list without gaps or repeats', () => {
    expect(all.map(JOB_TOKEN.token)).toEqual(['default.z', 'dev-2.a', 'dev.a', 'dev.a.b', 'dev.b']);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const p = page(all, 2, JOB_TOKEN, token);
      seen.push(...p.items.map(JOB_TOKEN.token));
      token = p.next_token ?? undefined;
    } while (token);
    expect(seen).toEqual(all.map(JOB_TOKEN.token));
  });

  it('writes tokens as Nomad does (`<namespace>.<job ID>`), so a page from Nomad and one from memory continue each other', () => {
    const p = page(all, 3, JOB_TOKEN);
    expect(p.next_token).toBe('dev.a.b');
    // a job added before the position does not shift the next page (a position, not an offset)
    const grown = JOB_TOKEN.sort([...all, stub('aaa', 'new')]);
    expect(page(grown, 3, JOB_TOKEN, p.next_token!).items.map(JOB_TOKEN.token)).toEqual(['dev.a.b', 'dev.b']);
  });
});
