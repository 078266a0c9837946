import { RouteMethods } from './route-methods';

describe('RouteMethods', () => {
  it('says which methods take a path, parameters and wildcards included', () => {
    const t = new RouteMethods();
    t.add('POST', '/api/claude/create-job');
    t.add(['GET', 'HEAD'], '/api/claude/jobs/:job_id');
    t.add('POST', '/api/claude/jobs/:job_id/stop');
    t.add('GET', '/static/*');
    expect(t.allowed('/api/claude/create-job')).toEqual(['POST']);
    expect(t.allowed('/api/claude/jobs/web')).toEqual(['GET', 'HEAD']);
    expect(t.allowed('/api/claude/jobs/web/stop')).toEqual(['POST']);
    expect(t.allowed('/api/claude/jobs/a/b/stop')).toEqual([]);
    expect(t.allowed('/static/css/app.css')).toEqual(['GET']);
    expect(t.allowed('/api/claude/create-jobs')).toEqual([]);
  });
});
