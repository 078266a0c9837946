import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { RunningSimulator, startSimulator } from '../apps/nomad-sim/src';
import { ALL_TOOLS } from './support/tool-names';

/**
 * The Claude Desktop extension: `npm run mcpb` builds a bundle that mcpb validates, and the server inside it,
 * started the way Claude Desktop starts it (the manifest's mcp_config with ${__dirname}, ${HOME} and the
 * user's settings substituted), answers over stdio against a Nomad with ACLs using the configured token.
 */
const ROOT = resolve(__dirname, '..');
const MCPB_CLI = join(ROOT, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
const MGMT = '5f1d5a2e-0b8e-4c55-9a11-2f8a0c6d7e31';
const BUILD_MS = 5 * 60_000;

/** What Claude Desktop does with the manifest's `${…}` placeholders. */
function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`the manifest uses \${${name}}, which Claude Desktop does not provide`);
    return vars[name];
  });
}

describe('Claude Desktop extension (.mcpb)', () => {
  let work: string;
  let bundleDir: string;
  let manifest: any;
  let sim: RunningSimulator;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'nomad-mcp-mcpb-test-'));
    const bundle = join(work, 'nomad-mcp.mcpb');
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-mcpb.js'), '--out', bundle], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    bundleDir = join(work, 'installed');
    execFileSync(process.execPath, [MCPB_CLI, 'unpack', bundle, bundleDir], { stdio: 'ignore' });
    manifest = JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8'));
    sim = await startSimulator({ port: 0, seed: true, acl: true, bootstrapToken: MGMT });
  }, BUILD_MS);

  afterAll(async () => {
    await sim?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('passes mcpb validate, asks for the Nomad token as a secret, and lists every tool in order', () => {
    expect(() => execFileSync(process.execPath, [MCPB_CLI, 'validate', join(bundleDir, 'manifest.json')], { stdio: 'pipe' })).not.toThrow();
    expect(manifest.user_config.nomad_token).toMatchObject({ type: 'string', sensitive: true });
    expect(manifest.user_config.nomad_addr).toMatchObject({ type: 'string', required: true });
    expect(manifest.tools.map((t: { name: string }) => t.name)).toEqual(ALL_TOOLS);
    expect(manifest.compatibility.platforms).toEqual([process.platform]);
    // production dependencies only: no test runner, no build tools in what users install
    expect(existsSync(join(bundleDir, 'node_modules/jest'))).toBe(false);
    expect(existsSync(join(bundleDir, 'node_modules/@nestjs/cli'))).toBe(false);
  });

  it("runs as Claude Desktop starts it: the user's address and token reach Nomad, read-only refuses changes", async () => {
    const home = join(work, 'home');
    const vars: Record<string, string> = {
      __dirname: bundleDir,
      HOME: home,
      'user_config.nomad_addr': sim.url,
      'user_config.nomad_token': MGMT,
      'user_config.nomad_namespace': 'default',
      'user_config.read_only': 'true',
    };
    const { command, args, env } = manifest.server.mcp_config;
    const client = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: command === 'node' ? process.execPath : command,
        args: args.map((a: string) => substitute(a, vars)),
        env: { PATH: process.env.PATH ?? '', ...Object.fromEntries(Object.entries(env as Record<string, string>).map(([k, v]) => [k, substitute(v, vars)])) },
        stderr: 'ignore',
      }),
    );
    try {
      const listed = await client.callTool({ name: 'list_jobs', arguments: {} });
      expect(listed.isError).toBeFalsy();
      const names = ((listed.structuredContent as any).jobs as { id: string }[]).map((j) => j.id);
      const direct = await fetch(`${sim.url}/v1/jobs?namespace=default`, { headers: { 'X-Nomad-Token': MGMT } }).then((r) => r.json());
      expect(names.sort()).toEqual((direct as { ID: string }[]).map((j) => j.ID).sort());

      const stop = await client.callTool({ name: 'stop_job', arguments: { job_id: names[0] } });
      expect(stop.isError).toBe(true);
      expect(JSON.stringify(stop.content)).toMatch(/read-only/i);
      // the audit trail went to the user's home, as the manifest says
      expect(existsSync(join(home, '.nomad-mcp/audit.sqlite3'))).toBe(true);
    } finally {
      await client.close();
    }
  }, 60_000);
});
