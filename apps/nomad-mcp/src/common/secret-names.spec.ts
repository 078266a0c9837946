import { loggableUrl } from './secret-names';

describe('loggableUrl', () => {
  it('hides the values of credential-like query parameters and keeps the rest', () => {
    expect(loggableUrl('/api/claude/list-jobs?api_key=abc123&namespace=dev')).toBe('/api/claude/list-jobs?api_key=(hidden)&namespace=dev');
    expect(loggableUrl('/x?Token=t&key=k&sig=s&access%5Ftoken=a&limit=5')).toBe('/x?Token=(hidden)&key=(hidden)&sig=(hidden)&access%5Ftoken=(hidden)&limit=5');
    expect(loggableUrl('/x?password&job_id=web')).toBe('/x?password&job_id=web');
    expect(loggableUrl('/x?%E0%A4%A=1&apikey=z')).toBe('/x?%E0%A4%A=1&apikey=(hidden)');
    expect(loggableUrl('/api/claude/list-jobs')).toBe('/api/claude/list-jobs');
  });
});
