import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides user and password, keeps the rest as written', () => {
    expect(redactUrl('http://user:pw@nomad.internal:4646')).toBe('http://***@nomad.internal:4646');
    expect(redactUrl('https://token@nomad:4646/ui?x=1')).toBe('https://***@nomad:4646/ui?x=1');
    expect(redactUrl('http://u:p@ss@host:1/')).toBe('http://***@host:1/');
  });

  it('leaves an address without credentials untouched (no trailing slash added)', () => {
    expect(redactUrl('http://127.0.0.1:4646')).toBe('http://127.0.0.1:4646');
    expect(redactUrl('http://host/path@x')).toBe('http://host/path@x');
  });

  it('also hides credentials in values that are not valid URLs', () => {
    expect(redactUrl('user:secret@nomad:4646')).toBe('***@nomad:4646');
    expect(redactUrl('ftp://a:secret@b')).toBe('ftp://***@b');
  });
});
