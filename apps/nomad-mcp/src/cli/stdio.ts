import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { configureApp, newApp } from '../bootstrap';
import { AppConfig, redactUrl } from '../config';
import { reportNomadStartupCheck } from '../health/nomad-startup.check';
import { McpService } from '../mcp/mcp.service';
import { guardStdioInput } from '../mcp/stdio-raw-guard';

/** After stdin ends, how long calls still running may take to be answered before the session closes anyway. */
const STDIN_END_GRACE_MS = 30_000;

/**
 * The requests the server has taken and not yet answered, counted where the transport hands them over and
 * where their answers are sent; `settled` resolves once there are none (or after `maxMs`).
 */
function trackRequests(transport: StdioServerTransport): { settled(maxMs: number): Promise<void> } {
  const pending = new Set<string | number>();
  let idle: (() => void) | undefined;
  const receive = transport.onmessage!;
  transport.onmessage = (msg) => {
    if ('method' in msg && 'id' in msg) pending.add(msg.id);
    // a request the client cancelled gets no answer: it is not waited for
    if ('method' in msg && msg.method === 'notifications/cancelled') {
      const id = (msg.params as { requestId?: string | number } | undefined)?.requestId;
      if (id !== undefined && pending.delete(id) && !pending.size) idle?.();
    }
    receive(msg);
  };
  const send = transport.send.bind(transport);
  transport.send = async (msg) => {
    await send(msg);
    if (('result' in msg || 'error' in msg) && 'id' in msg && msg.id !== undefined && pending.delete(msg.id) && !pending.size) idle?.();
  };
  return {
    settled: (maxMs) =>
      new Promise<void>((resolve) => {
        if (!pending.size) return resolve();
        const timer = setTimeout(resolve, maxMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

/**
 * Once the app has closed, the session is over: a call that outlived the grace period could still be holding a
 * connection (or have restarted a watch); the process ends rather than linger without a client.
 */
function exitIfStillHeld(): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

/** `nomad-mcp stdio`: MCP over stdio for Claude Desktop; stdout carries the protocol, logs go to stderr. */
export async function runStdio(config: AppConfig): Promise<void> {
  // never listens: no certificate to load
  const app = await newApp(AppModule.register({ config }), { ...config.http, tls: undefined });
  configureApp(app, { serveDocs: false });
  await app.init();
  // Nest prints the logs it buffered during start-up, and stops buffering, only when an HTTP server
  // starts listening; stdio mode never listens, so without this every later line would stay in memory.
  app.flushLogs();
  const server = app.get(McpService).createServer();
  const transport = new StdioServerTransport(process.stdin.pipe(guardStdioInput(process.stdout)), process.stdout);
  transport.onclose = () => void app.close().finally(exitIfStillHeld);
  await server.connect(transport);
  // The client closing stdin ends the session. The SDK's transport does not notice an ended input, and the
  // watch cache's held connections to Nomad keep the process alive: close the server (and with it the app),
  // once the calls still running have been answered (a client may close its input right after its last call).
  const inFlight = trackRequests(transport);
  process.stdin.once('end', () => void inFlight.settled(STDIN_END_GRACE_MS).then(() => server.close()));
  app.get(Logger).log(`MCP server on stdio; Nomad at ${redactUrl(config.nomad.address)}`);
  void reportNomadStartupCheck(app);
}
