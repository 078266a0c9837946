import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { startSimulator } from '../apps/nomad-sim/src';
import { loadConfig } from '../apps/nomad-mcp/src/config';
import { startServiceProcess } from './support/built-service';
import { call } from './support/http';
import { closedPortUrl, startStack } from './support/stack';

const ROOT = resolve(__dirname, '..');
const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine (CI machines have none, and the image
 * is never built here): what they publish, that they match package.json, how the image is staged (non-root,
 * production dependencies only, better-sqlite3's native module built), that the built service runs on
 * production dependencies alone, and that the image's HEALTHCHECK command works.
 */
describe('docker-compose.yml and Dockerfile', () => {
  const compose = load(read('docker-compose.yml')) as any;
  // continuation lines joined, comments dropped: one instruction per line
  const dockerfile = read('Dockerfile').replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const pkg = JSON.parse(read('package.json'));
  /** The instructions of each stage, from its FROM line on. */
  const stages = dockerfile.reduce<string[][]>((all, l) => (l.startsWith('FROM ') ? [...all, [l]] : (all[all.length - 1].push(l), all)), []);
  const final = stages[stages.length - 1];
  /** A compose value with `${NAME:-default}` replaced by its default, as compose does when NAME is unset. */
  const withDefaults = (v: string) => v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

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
      for (const src of l.split(/\s+/).slice(1, -1).filter((w) => !w.startsWith('--'))) expect({ src, exists: existsSync(resolve(ROOT, src)) }).toEqual({ src, exists: true });
    }
    for (const l of dockerfile.filter((x) => x.startsWith('FROM '))) {
      const major = Number(/node:(\d+)/.exec(l)?.[1]);
      expect(major).toBeGreaterThanOrEqual(Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]));
    }
    const cmd = JSON.parse(dockerfile.find((l) => l.startsWith('CMD '))!.slice(4));
    expect(cmd).toEqual(['node', 'bin/nomad-mcp.js']);
    // what bin/nomad-mcp.js starts is what `npm run build` writes: the build, and the bundle of it
    const bin = read('bin/nomad-mcp.js');
    expect(bin).toContain("join(__dirname, '..', 'dist')");
    expect(bin).toContain("join(dist, 'apps', 'nomad-mcp', 'src', 'main.js')");
    expect(bin).toContain("join(dist, 'bundle', 'nomad-mcp.js')");
    expect(pkg.scripts.build).toBe('nest build nomad-mcp && node scripts/bundle.js');
    expect(dockerfile).toContain('COPY scripts/bundle.js ./scripts/');
  });

  it('keeps Postgres for the shared audit trail inside the compose network, and points the service at it once it is ready', () => {
    const pg = compose.services.postgres;
    const svc = compose.services['nomad-mcp'];
    expect(pg.image).toMatch(/^postgres:\d+/);
    for (const p of pg.ports ?? []) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
    expect(svc.depends_on.postgres).toEqual({ condition: 'service_healthy' });
    expect(pg.healthcheck.test.join(' ')).toContain('pg_isready');
    const url = new URL(withDefaults(svc.environment.DATABASE_URL));
    const env = Object.fromEntries(Object.entries(pg.environment as Record<string, string>).map(([k, v]) => [k, withDefaults(String(v))]));
    expect({ host: url.hostname, port: url.port, user: url.username, password: url.password, db: url.pathname.slice(1) })
      .toEqual({ host: 'postgres', port: '5432', user: env.POSTGRES_USER, password: env.POSTGRES_PASSWORD, db: env.POSTGRES_DB });
    // the service's environment as compose gives it (API_KEYS set, unset variables empty) is one it accepts
    const given = Object.fromEntries(Object.entries(svc.environment as Record<string, string>).map(([k, v]) => [k, withDefaults(String(v)).replace(/\$\{API_KEYS:\?[^}]*\}/, 'change-me')]));
    expect(loadConfig(given)).toMatchObject({ nomadAddr: 'http://nomad:4646', host: '0.0.0.0', port: 8000 });
  });

  it('builds in one stage and runs in another: production dependencies only, better-sqlite3 built, not root', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM node:\d+-(slim|alpine)\b/);
    const build = stages.slice(0, -1).flat();
    // dependencies installed without scripts ("prepare" would build too early), then better-sqlite3's own
    // install script, which fetches or compiles its native module: without it the SQLite audit trail cannot open
    expect(build.join('\n')).toMatch(/npm ci --ignore-scripts && npm rebuild better-sqlite3/);
    expect(build.join('\n')).toMatch(/npm prune --omit=dev/);
    expect(build.join('\n')).toMatch(/apt-get install .*python3.*make.*g\+\+/);
    // the final stage copies the pruned node_modules; it installs nothing and has no compiler
    expect(final.filter((l) => /npm (ci|install)|apt-get/.test(l))).toEqual([]);
    expect(final).toContain('COPY --from=build /app/node_modules ./node_modules');
    const user = final.findIndex((l) => l.startsWith('USER '));
    expect(final[user]).toMatch(/^USER (?!root\b|0\b)\w+/);
    expect(final.slice(user).filter((l) => l.startsWith('RUN '))).toEqual([]);
    expect(final.findIndex((l) => l.startsWith('CMD '))).toBeGreaterThan(user);
    // the SQLite audit trail's folder (./data, the default AUDIT_DB_PATH) is the only one the user owns
    expect(final).toContain('RUN mkdir -p /app/data && chown node:node /app/data');
  });

  it("runs, as built, on what `npm ci --omit=dev` installs: no development dependency is loaded", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prod-deps-'));
    const sim = await startSimulator({ port: 0, seed: true });
    try {
      const deps = join(dir, 'production-deps.txt');
      writeFileSync(deps, execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' }));
      const report = join(dir, 'loaded-outside.txt');
      writeFileSync(report, '');
      const service = await startServiceProcess({
        NOMAD_ADDR: sim.url, LOG_LEVEL: 'warn', AUDIT_DB_PATH: join(dir, 'audit.sqlite3'), NOMAD_MCP_CONFIRM: 'off',
        NODE_OPTIONS: `--require ${resolve(__dirname, 'support/production-deps-guard.js')}`, PRODUCTION_DEPS_FILE: deps, PRODUCTION_DEPS_REPORT: report,
      });
      try {
        // reads, a change (recorded in the SQLite audit trail: better-sqlite3's native module) and the docs
        expect((await call(service.url, 'GET', '/api/claude/list-jobs?namespace=*')).status).toBe(200);
        expect((await call(service.url, 'POST', '/api/claude/create-job', { body: { namespace: 'default', job_id: 'prod-deps', docker_image: 'nginx:1.27' } })).status).toBe(201);
        expect((await call(service.url, 'GET', '/api/audit')).json.records).toEqual([expect.objectContaining({ operation: 'create_job' })]);
        expect((await call(service.url, 'GET', '/api/docs')).status).toBe(200);
      } finally {
        await service.stop();
      }
      expect(readFileSync(report, 'utf8').split('\n').filter(Boolean)).toEqual([]);
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
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

    it('runs node against /health/live, falling back to /health (no curl in slim images)', () => {
      expect(line).toMatch(/--timeout=\d+s/);
      expect(command[0]).toBe('node');
      expect(command.join(' ')).toContain("get('/health/live')");
      expect(command.join(' ')).toContain("r.status === 404 ? get('/health')");
    });

    it('is healthy while the service is alive, unhealthy when it does not answer; Nomad down counts only without /health/live', async () => {
      const up = await startStack();
      const nomadDown = await startStack({ sim: false, env: { NOMAD_ADDR: await closedPortUrl() } });
      try {
        expect(await check(new URL(up.url).port)).toBe(0);
        // with /health/live, a service whose Nomad is down is alive (a restart would not bring Nomad back);
        // a service without it is judged by /health, which is 503 then
        const live = await nomadDown.api('GET', '/health/live');
        expect([200, 404]).toContain(live.status);
        expect(await check(new URL(nomadDown.url).port)).toBe(live.status === 200 ? 0 : 1);
        expect(await check(new URL(await closedPortUrl()).port)).toBe(1);
      } finally {
        await up.close();
        await nomadDown.close();
      }
    });
  });
});
