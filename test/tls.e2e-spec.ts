import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

  it('trusts the CAs in the folder NOMAD_CAPATH names, as Nomad\'s client does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capath-e2e-'));
    mkdirSync(join(dir, 'cluster'));
    copyFileSync(tls('ca.pem'), join(dir, 'cluster', 'nomad-ca.pem'));
    const s = await startStack({ sim: { tls: serverTls }, env: { NOMAD_CAPATH: dir } });
    try {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      expect(r.status).toBe(200);
      expect(r.json.count).toBe(3);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the certificate against NOMAD_TLS_SERVER_NAME when NOMAD_ADDR\'s host is not in it', async () => {
    // 127.0.0.2 is this machine too, but the certificate names 127.0.0.1, localhost and server.global.nomad only
    const bare = await startStack({ sim: { tls: serverTls, host: '127.0.0.2' }, env: { NOMAD_CACERT: tls('ca.pem') } });
    try {
      expect(bare.sim!.url).toMatch(/^https:\/\/127\.0\.0\.2:/);
      const r = await bare.api('GET', '/api/claude/list-jobs');
      expect(r.status).toBe(503);
      expect(r.json.message).toMatch(/\(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    } finally {
      await bare.close();
    }
    const named = await startStack({ sim: { tls: serverTls, host: '127.0.0.2' }, env: { NOMAD_CACERT: tls('ca.pem'), NOMAD_TLS_SERVER_NAME: 'server.global.nomad' } });
    try {
      expect((await named.api('GET', '/api/claude/list-jobs?namespace=development')).json.count).toBe(3);
    } finally {
      await named.close();
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
