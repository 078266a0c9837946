#!/usr/bin/env node
/**
 * `npm run mcpb`: builds the Claude Desktop extension (an MCP Bundle, `.mcpb`) for the stdio server.
 *
 * The bundle is the npm package (bin/ and dist/, exactly what `npm pack` ships) with its production
 * dependencies and a manifest.json whose user settings are the Nomad address, token, namespace and read-only mode.
 * The tool and prompt lists in the manifest are read from the built server itself (stdio, tools/list and
 * prompts/list), so they never drift from the code. better-sqlite3 is a native module, so a bundle runs on the
 * platform it was built on; the manifest says so (compatibility.platforms), and the README says to build one per
 * platform. Validated with @anthropic-ai/mcpb's schema, packed with its `pack` command.
 *
 *   npm run mcpb [-- --out dist/nomad-mcp.mcpb]
 */
const { execFileSync, spawn } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quietNpm = { ...process.env, SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1', npm_config_fund: 'false', npm_config_audit: 'false' };

function outPath() {
  const i = process.argv.indexOf('--out');
  return resolve(i > 0 ? process.argv[i + 1] : join(root, 'dist', `nomad-mcp-${pkg.version}.mcpb`));
}

/** The package's files as npm would ship them, unpacked into `stage`. */
function stagePackage(stage) {
  if (!existsSync(join(root, 'dist/apps/nomad-mcp/src/main.js'))) {
    execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', 'nomad-mcp-demo'], { cwd: root, stdio: 'inherit' });
  }
  const packDir = mkdtempSync(join(tmpdir(), 'nomad-mcp-pack-'));
  try {
    const [{ filename }] = JSON.parse(
      execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: root, env: quietNpm, encoding: 'utf8' }),
    );
    execFileSync('tar', ['-xzf', join(packDir, filename), '-C', stage, '--strip-components=1']);
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
  // the lock file makes the bundle's dependencies the ones the tests ran with
  cpSync(join(root, 'package-lock.json'), join(stage, 'package-lock.json'));
  // production dependencies only; install scripts off (no network, no compiler): the one native module,
  // better-sqlite3, is pinned to one version, so its binary is taken from this checkout's build
  execFileSync(npm, ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: stage, env: quietNpm, stdio: ['ignore', 'ignore', 'inherit'] });
  cpSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), join(stage, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'));
  rmSync(join(stage, 'package-lock.json'));
}

/** tools/list and prompts/list of the staged server over stdio (no Nomad needed to list them). */
async function listCapabilities(stage) {
  const child = spawn(process.execPath, [join(stage, 'bin/nomad-mcp.js'), 'stdio'], {
    cwd: stage,
    // its audit file goes to a folder of the stage removed before packing (never into the checkout or the bundle)
    env: { PATH: process.env.PATH, NOMAD_ADDR: 'http://127.0.0.1:9', AUDIT_DB_PATH: join(stage, '.audit/listing.sqlite3'), LOG_LEVEL: 'error' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const answers = new Map();
  let buffer = '';
  child.stdout.on('data', (d) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      answers.get(msg.id)?.(msg);
    }
  });
  const ask = (id, method, params = {}) =>
    new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the staged server did not answer ${method} within 30 s`)), 30000);
      answers.set(id, (msg) => (clearTimeout(timer), msg.error ? fail(new Error(`${method}: ${msg.error.message}`)) : done(msg.result)));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  try {
    await ask(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'build-mcpb', version: pkg.version } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const { tools } = await ask(2, 'tools/list');
    const { prompts } = await ask(3, 'prompts/list');
    return { tools, prompts };
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill();
    await exited;
    rmSync(join(stage, '.audit'), { recursive: true, force: true });
  }
}

/** First sentence of a description: the manifest's tool list is for people browsing the extension. */
const firstSentence = (text) => (/^.*?[.!?](\s|$)/s.exec(text ?? '')?.[0] ?? text ?? '').trim();

function manifest({ tools, prompts }) {
  return {
    manifest_version: '0.3',
    name: 'nomad-mcp',
    display_name: 'Nomad MCP',
    version: pkg.version,
    description: pkg.description,
    long_description:
      'Lets Claude list, diagnose, plan, change, roll out and read logs of HashiCorp Nomad jobs through one safe pipeline: ' +
      'permissions, confirmations of destructive changes, an audit trail, and answers sized for a model. ' +
      'Runs locally over stdio; Nomad is reached at the address you configure, with the token you give.',
    author: { name: 'Nomad MCP' },
    license: pkg.license,
    keywords: ['nomad', 'hashicorp', 'devops', 'scheduler', 'mcp'],
    server: {
      type: 'node',
      entry_point: 'bin/nomad-mcp.js',
      mcp_config: {
        command: 'node',
        args: ['${__dirname}/bin/nomad-mcp.js', 'stdio'],
        env: {
          NOMAD_ADDR: '${user_config.nomad_addr}',
          NOMAD_TOKEN: '${user_config.nomad_token}',
          NOMAD_NAMESPACE: '${user_config.nomad_namespace}',
          NOMAD_MCP_READ_ONLY: '${user_config.read_only}',
          // the audit trail of what Claude did, in the user's home (the bundle's own folder may be read-only)
          AUDIT_DB_PATH: '${HOME}/.nomad-mcp/audit.sqlite3',
        },
      },
    },
    tools: tools.map((t) => ({ name: t.name, description: firstSentence(t.description) })),
    tools_generated: false,
    prompts: prompts.map((p) => ({
      name: p.name,
      description: p.description,
      arguments: (p.arguments ?? []).map((a) => a.name),
      text: `${p.description} (The server builds the full prompt from the arguments.)`,
    })),
    compatibility: {
      platforms: [process.platform],
      runtimes: { node: pkg.engines.node },
    },
    user_config: {
      nomad_addr: {
        type: 'string',
        title: 'Nomad address',
        description: "Your cluster's HTTP API, as NOMAD_ADDR: http(s)://host:4646 or unix:///path/to/api.sock",
        default: 'http://127.0.0.1:4646',
        required: true,
      },
      nomad_token: {
        type: 'string',
        title: 'Nomad ACL token',
        description: 'A token whose policy grants what Claude may do (see deploy/nomad-mcp.policy.hcl). Leave empty when ACLs are off.',
        sensitive: true,
        required: false,
        default: '',
      },
      nomad_namespace: {
        type: 'string',
        title: 'Default namespace',
        description: 'The namespace used when Claude names none.',
        default: 'default',
        required: false,
      },
      read_only: {
        type: 'boolean',
        title: 'Read-only',
        description: 'Only list, inspect, plan and read logs; every change is refused.',
        default: false,
        required: false,
      },
    },
  };
}

async function main() {
  const out = outPath();
  const stage = mkdtempSync(join(tmpdir(), 'nomad-mcp-mcpb-'));
  try {
    stagePackage(stage);
    const m = manifest(await listCapabilities(stage));
    writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
    const cli = join(root, 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js');
    execFileSync(process.execPath, [cli, 'validate', join(stage, 'manifest.json')], { stdio: 'inherit' });
    mkdirSync(join(out, '..'), { recursive: true });
    execFileSync(process.execPath, [cli, 'pack', stage, out], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.stdout.write(`${out}\n`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`build-mcpb: ${err.message}\n`);
  process.exit(1);
});
