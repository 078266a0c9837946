import { hostname } from 'node:os';
import { acceptedHost, hostPolicyOf } from './accepted-host';

const req = (host?: string) => ({ headers: { host } });

describe('acceptedHost', () => {
  it('without keys: loopback names only (anything else is DNS rebinding)', () => {
    const policy = hostPolicyOf({ publicUrl: 'https://mcp.example.com' }, false);
    for (const h of ['127.0.0.1:8000', 'localhost:8000', 'localhost', '[::1]:8000']) expect([h, acceptedHost(req(h), policy)]).toEqual([h, true]);
    for (const h of ['mcp.example.com', 'evil.example:8000', 'localhost.evil.example', '10.0.0.1:8000', '', undefined, 'localhost:8000/x', 'a b']) {
      expect([h, acceptedHost(req(h), policy)]).toEqual([h, false]);
    }
  });

  it("with keys: PUBLIC_URL's host, or the HOST listened on, besides loopback; never an arbitrary name", () => {
    const pub = hostPolicyOf({ publicUrl: 'https://MCP.example.com/base' }, true);
    expect(acceptedHost(req('mcp.example.com'), pub)).toBe(true);
    expect(acceptedHost(req('mcp.example.com:443'), pub)).toBe(true);
    expect(acceptedHost(req('127.0.0.1:8000'), pub)).toBe(true);
    expect(acceptedHost(req('evil.example'), pub)).toBe(false);
    const listen = hostPolicyOf({ host: '10.1.2.3' }, true);
    expect(acceptedHost(req('10.1.2.3:8000'), listen)).toBe(true);
    expect(acceptedHost(req(`${hostname()}:8000`), listen)).toBe(false);
  });

  it('with keys on every interface: this machine’s name and addresses', () => {
    const any = hostPolicyOf({ host: '0.0.0.0' }, true);
    expect(acceptedHost(req(`${hostname()}:8000`), any)).toBe(true);
    expect(acceptedHost(req('attacker.example:8000'), any)).toBe(false);
    expect(acceptedHost(req('127.0.0.1'), hostPolicyOf({}, true))).toBe(true);
  });
});
