import { hideSecretArgs, loggableUrl } from './secret-names';

describe('loggableUrl', () => {
  it('hides the values of credential-like query parameters and keeps the rest', () => {
    expect(loggableUrl('/api/claude/list-jobs?api_key=abc123&namespace=dev')).toBe('/api/claude/list-jobs?api_key=(hidden)&namespace=dev');
    expect(loggableUrl('/x?Token=t&key=k&sig=s&access%5Ftoken=a&limit=5')).toBe('/x?Token=(hidden)&key=(hidden)&sig=(hidden)&access%5Ftoken=(hidden)&limit=5');
    expect(loggableUrl('/x?password&job_id=web')).toBe('/x?password&job_id=web');
    expect(loggableUrl('/x?%E0%A4%A=1&apikey=z')).toBe('/x?%E0%A4%A=1&apikey=(hidden)');
    expect(loggableUrl('/api/claude/list-jobs')).toBe('/api/claude/list-jobs');
    // the service's own key header, and hyphenated names, sent as query parameters
    expect(loggableUrl('/x?X-API-Key=abc&private-key=z&api-key=q')).toBe('/x?X-API-Key=(hidden)&private-key=(hidden)&api-key=(hidden)');
  });
});

describe('hideSecretArgs', () => {
  it('hides secret-named flags\' values and URL passwords, and keeps the rest of the command line', () => {
    expect(hideSecretArgs(['/app', '--password=hunter2', '--api-key', 'k1', '--port', '8080', 'postgres://u:pw@db/x', '--token'])).toEqual([
      '/app', '--password=(hidden)', '--api-key', '(hidden)', '--port', '8080', 'postgres://u:(hidden)@db/x', '--token',
    ]);
  });
});
