import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStack } from './support/stack';

const tls = (name: string) => resolve(__dirname, 'fixtures/tls', name);
const serverTls = { cert: readFileSync(tls('server.pem')), key: readFileSync(tls('server.key')) };

/** Nomad over HTTPS, as production clusters run it: NOMAD_CACERT, NOMAD_SKIP_VERIFY, NOMAD_CLIENT_CERT/KEY. */
describe('TLS to Nomad', () => {
  it('trusts the cluster CA given in NOMAD_CACERT', async () => {
    const s = await startStack({ sim: { tls: serverTls }, env: { NOMAD_CACERT: tls('ca.pem') } });
    try {
      expect(s.sim!.url).toMatch(/^https:/);
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      expect(r.status).toBe(200);
      expect(r.json.count).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('refuses an unknown CA with a 503 that names the TLS error, unless NOMAD_SKIP_VERIFY', async () => {
    const strict = await startStack({ sim: { tls: serverTls } });
    try {
      const r = await strict.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(503);
      expect(r.json.message).toMatch(/^Nomad is unreachable at https:\/\/127\.0\.0\.1:\d+ \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/);
    } finally {
      await strict.close();
    }
    const lax = await startStack({ sim: { tls: serverTls }, env: { NOMAD_SKIP_VERIFY: 'true' } });
    try {
      expect((await lax.api('GET', '/api/claude/list-jobs')).status).toBe(200);
    } finally {
      await lax.close();
    }
  });

  it('presents NOMAD_CLIENT_CERT/KEY to a cluster that verifies clients', async () => {
    const mtls = { ...serverTls, ca: readFileSync(tls('ca.pem')) };
    const withCert = await startStack({ sim: { tls: mtls }, env: { NOMAD_CACERT: tls('ca.pem'), NOMAD_CLIENT_CERT: tls('client.pem'), NOMAD_CLIENT_KEY: tls('client.key') } });
    try {
      expect((await withCert.api('GET', '/api/claude/list-jobs')).status).toBe(200);
    } finally {
      await withCert.close();
    }
    const without = await startStack({ sim: { tls: mtls }, env: { NOMAD_CACERT: tls('ca.pem') } });
    try {
      const r = await without.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(503);
    } finally {
      await without.close();
    }
  });
});
