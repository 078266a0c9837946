import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import { closedPortUrl, startStack } from './support/stack';

const ROOT = resolve(__dirname, '..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine (CI machines have none): what they
 * publish, that they match package.json, and that the image's HEALTHCHECK command works.
 */
describe('docker-compose.yml and Dockerfile', () => {
  const compose = load(read('docker-compose.yml')) as any;
  // continuation lines joined, comments dropped: one instruction per line
  const dockerfile = read('Dockerfile').replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const pkg = JSON.parse(read('package.json'));

  it('publishes the ACL-less, privileged Nomad dev agent on loopback only', () => {
    const nomad = compose.services.nomad;
    expect(nomad.privileged).toBe(true); // why loopback matters: with the host's Docker socket, it is root on the host
    expect(nomad.ports.length).toBeGreaterThan(0);
    for (const p of nomad.ports) expect(String(p)).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('publishes the service beyond loopback only when API keys are required', () => {
    const svc = compose.services['nomad-mcp'];
    expect(svc.environment.NOMAD_ADDR).toBe('http://nomad:4646');
    const keysRequired = /^\$\{API_KEYS:\?/.test(String(svc.environment.API_KEYS ?? ''));
    for (const p of svc.ports) if (!keysRequired) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
  });

  it('builds with package.json scripts and files that exist, on a Node that package.json accepts', () => {
    const runs = dockerfile.filter((l) => l.startsWith('RUN '));
    const scripts = runs.flatMap((l) => [...l.matchAll(/npm run (\S+)/g)].map((m) => m[1]));
    expect(scripts).toEqual(['build']);
    for (const name of scripts) expect(pkg.scripts[name]).toBeDefined();
    for (const l of dockerfile.filter((x) => x.startsWith('COPY ') && !x.includes('--from'))) {
      for (const src of l.split(/\s+/).slice(1, -1)) expect({ src, exists: existsSync(resolve(ROOT, src)) }).toEqual({ src, exists: true });
    }
    for (const l of dockerfile.filter((x) => x.startsWith('FROM '))) {
      const major = Number(/node:(\d+)/.exec(l)?.[1]);
      expect(major).toBeGreaterThanOrEqual(Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]));
    }
    const cmd = JSON.parse(dockerfile.find((l) => l.startsWith('CMD '))!.slice(4));
    expect(cmd).toEqual(['node', 'bin/nomad-mcp.js']);
    // what bin/nomad-mcp.js starts is what `npm run build` writes
    expect(read('bin/nomad-mcp.js')).toContain("join(__dirname, '..', 'dist', 'apps', 'nomad-mcp', 'src', 'main.js')");
    expect(pkg.scripts.build).toBe('nest build nomad-mcp');
  });

  describe('HEALTHCHECK', () => {
    const line = dockerfile.find((l) => l.startsWith('HEALTHCHECK '));
    const command: string[] = line ? JSON.parse(line.slice(line.indexOf(' CMD ') + 5)) : [];
    // asynchronous: the stacks answering it run in this process
    const check = (port: number | string) =>
      new Promise<number | null>((done) => {
        const child = spawn(command[0], command.slice(1), { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore', timeout: 15000 });
        child.on('close', (code) => done(code));
      });

    it('runs node against /health (no curl in slim images)', () => {
      expect(line).toMatch(/--timeout=\d+s/);
      expect(command[0]).toBe('node');
      expect(command.join(' ')).toContain('/health');
    });

    it('is healthy while /health answers 200, unhealthy when Nomad is down or the service does not answer', async () => {
      const up = await startStack();
      const nomadDown = await startStack({ sim: false, env: { NOMAD_ADDR: await closedPortUrl() } });
      try {
        expect(await check(new URL(up.url).port)).toBe(0);
        expect(await check(new URL(nomadDown.url).port)).toBe(1);
        expect(await check(new URL(await closedPortUrl()).port)).toBe(1);
      } finally {
        await up.close();
        await nomadDown.close();
      }
    });
  });
});
