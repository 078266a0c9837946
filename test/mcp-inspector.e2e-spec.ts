import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Stack, startStack } from './support/stack';
import { ALL_TOOLS } from './support/tool-names';

const ROOT = resolve(__dirname, '..');
const BIN = resolve(ROOT, 'bin/nomad-mcp.js');
const MAIN = resolve(ROOT, 'dist/apps/nomad-mcp/src/main.js');

/** The README's MCP Inspector commands, exactly as written there (continuation lines joined). */
function readmeInspectorCommands(): string[] {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('**MCP Inspector**'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block after **MCP Inspector**');
  return block.replace(/\\\n\s*/g, '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx '));
}

const commands = readmeInspectorCommands();
const inspector = /(@modelcontextprotocol\/inspector@\S+)/.exec(commands[0] ?? '')?.[1] ?? '@modelcontextprotocol/inspector';
// the commands download the inspector: without the npm registry there is nothing to test
const registry = spawnSync('npm', ['view', inspector, 'version', '--fetch-retries=0', '--fetch-timeout=10000'], { encoding: 'utf8', timeout: 15000 });
const registryReachable = registry.status === 0 && registry.stdout.trim() !== '';
if (!registryReachable) process.stderr.write(`\nThe npm registry is unreachable (npm view ${inspector} failed): the README's MCP Inspector commands are not tested.\n`);
const online = registryReachable ? describe : describe.skip;

/** Runs one command in a non-interactive shell, as a user would paste it. */
function sh(command: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // the README's own -y must be what lets npx install; and a user's Nomad settings must not leak in
  for (const k of Object.keys(env)) if (/^(npm_config_yes|NOMAD_|API_KEYS)/i.test(k)) delete env[k];
  return new Promise((done) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

online("the README's MCP Inspector commands, run as written", () => {
  const key = 'inspector-test-key';
  let s: Stack;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does it)`);
    s = await startStack({ env: { API_KEYS: key, HOST: '127.0.0.1' } });
  });
  afterAll(() => s?.close());

  it('the README has its seven commands: tools, resources and prompts over HTTP and stdio, all with npx -y', () => {
    expect(commands.map((c) => /--method (\S+)/.exec(c)?.[1])).toEqual([
      'tools/list', 'tools/list', 'tools/call', 'resources/list', 'resources/templates/list', 'resources/read', 'prompts/list',
    ]);
    for (const c of commands) expect(c).toMatch(/^npx -y @modelcontextprotocol\/inspector@\d+\.\d+\.\d+ --cli /);
    expect(existsSync(BIN)).toBe(true);
  });

  it.each(commands.map((c, i) => [i + 1, c]))('command %i works against a running service: %s', async (_n, command) => {
    const concrete = String(command)
      .replace(/http:\/\/127\.0\.0\.1:8000/g, s.url)
      .replace(/http:\/\/127\.0\.0\.1:4646/g, s.sim!.url)
      .replace(/<key>/g, key);
    const r = await sh(concrete, 240000);
    expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
    const answer = JSON.parse(r.stdout);
    switch (/--method (\S+)/.exec(concrete)?.[1]) {
      case 'tools/list':
        expect(answer.tools.map((t: any) => t.name)).toEqual(ALL_TOOLS);
        break;
      case 'tools/call':
        expect(answer.isError).toBeFalsy();
        expect(answer.content[0].text).toMatch(/^3 jobs in namespace 'development'/);
        expect(answer.structuredContent.jobs.map((j: any) => j.id)).toEqual(['broken-api', 'example-job', 'nightly-report']);
        break;
      case 'resources/list':
        expect(answer.resources.map((x: any) => x.uri)).toEqual(['nomad://jobs/default', 'nomad://jobs/development', 'nomad://jobs/staging']);
        break;
      case 'resources/templates/list':
        expect(answer.resourceTemplates.map((t: any) => t.uriTemplate)).toEqual(expect.arrayContaining(['nomad://jobs/{namespace}', 'nomad://job/{namespace}/{job_id}', 'nomad://job/{namespace}/{job_id}/logs']));
        break;
      case 'resources/read':
        expect(answer.contents.map((c: any) => c.mimeType)).toEqual(['text/plain', 'application/json']);
        expect(answer.contents[0].text).toMatch(/^Job 'example-job' \(service, version 0\)/);
        expect(JSON.parse(answer.contents[1].text)).toMatchObject({ job_id: 'example-job', namespace: 'development' });
        break;
      case 'prompts/list':
        expect(answer.prompts.map((p: any) => p.name)).toEqual(['diagnose-failing-job', 'roll-out-new-image', 'drain-node-safely']);
        break;
      default:
        throw new Error(`no check for: ${concrete}`);
    }
  }, 300000);
});
