import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { call } from './http';

/** The built service, its bundle and its command (`npm test` builds them first). */
export const BUILT_MAIN = resolve(__dirname, '../../dist/apps/nomad-mcp/src/main.js');
export const BUNDLE = resolve(__dirname, '../../dist/bundle/nomad-mcp.js');
export const BIN = resolve(__dirname, '../../bin/nomad-mcp.js');

export function requireBuild(): void {
  for (const f of [BUILT_MAIN, BUNDLE]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "npx nest build nomad-mcp-demo && node scripts/bundle.js" first (npm test does it)`);
  }
}

const freePort = () =>
  new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => r(port));
    });
  });

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  logs(): string;
  /** Resolves when it has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops it (SIGTERM unless told) and waits for it to be gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The built service as its own process on a free port (only PATH and `env` in its environment), once /health
 * answers 200. Started as users start it: bin/nomad-mcp.js, which runs the bundle of the build; or `entry`
 * (the build's main.js), with `nodeArgs` before it (e.g. `-r <preload>`).
 */
export async function startServiceProcess(env: Record<string, string>, opts: { entry?: string; nodeArgs?: string[] } = {}): Promise<ServiceProcess> {
  requireBuild();
  // the free port is found by listen(0) and close, so a parallel test can take it first: then start again
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort(env, opts);
    } catch (err) {
      if (attempt === 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startOnFreePort(env: Record<string, string>, opts: { entry?: string; nodeArgs?: string[] }): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let logs = '';
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry ?? BIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (logs += d));
  child.stderr!.on('data', (d) => (logs += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  // until /health answers 200 from it, or it has exited (a port taken by another is said on its own)
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw logs.includes(`port ${port} is in use`) ? new PortTakenError(logs) : new Error(`it exited with ${child.exitCode}: ${logs.slice(-2000)}`);
    }
    if ((await call(url, 'GET', '/health').catch(() => undefined))?.status === 200) break;
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`it did not answer /health in 30 s: ${logs.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, logs: () => logs, exited, stop };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nomad-mcp <args>` (bin/nomad-mcp.js) with only PATH and `env`, in `cwd`, to its end. */
export function runCli(args: string[], env: Record<string, string>, cwd: string, timeoutMs = 30000): Promise<CliRun> {
  requireBuild();
  return runCommand([process.execPath, BIN, ...args], env, cwd, timeoutMs);
}

/** Runs `command` (program and arguments, no shell) with only PATH and `env`, in `cwd`, to its end. */
export function runCommand(command: string[], env: Record<string, string>, cwd: string, timeoutMs = 30000): Promise<CliRun> {
  const [program, ...args] = command;
  return new Promise((done, fail) => {
    const child = spawn(program, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: CliRun = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command.join(' ')} did not finish within ${timeoutMs} ms: ${out.stdout}${out.stderr}`));
    }, timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ ...out, code });
    });
  });
}
