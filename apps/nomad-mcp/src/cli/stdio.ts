import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { configureApp, newApp } from '../bootstrap';
import { AppConfig, redactUrl } from '../config';
import { reportNomadStartupCheck } from '../health/nomad-startup.check';
import { McpService } from '../mcp/mcp.service';
import { guardStdioInput } from '../mcp/stdio-raw-guard';

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
  transport.onclose = () => void app.close();
  // The client closing stdin ends the session. The SDK's transport does not notice an ended input, and the
  // watch cache's held connections to Nomad keep the process alive: close the server (and with it the app).
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  app.get(Logger).log(`MCP server on stdio; Nomad at ${redactUrl(config.nomad.address)}`);
  void reportNomadStartupCheck(app);
}
