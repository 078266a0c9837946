import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { runAuditCli } from './audit/audit-cli';
import { configureApp, createApp, DOCS_PATH, listen } from './bootstrap';
import { AppConfig, loadConfig, redactUrl } from './config';
import { reportNomadStartupCheck } from './health/nomad-startup.check';
import { McpService } from './mcp/mcp.service';
import { guardStdioInput } from './mcp/stdio-raw-guard';

/** MCP over stdio for Claude Desktop: stdout carries the protocol, logs go to stderr. */
async function runStdio(config: AppConfig): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register({ config }), { bufferLogs: true, abortOnError: false });
  configureApp(app, { serveDocs: false });
  await app.init();
  // Nest prints the logs it buffered during start-up, and stops buffering, only when an HTTP server
  // starts listening; stdio mode never listens, so without this every later line would stay in memory.
  app.flushLogs();
  const server = app.get(McpService).createServer();
  const transport = new StdioServerTransport(process.stdin.pipe(guardStdioInput(process.stdout)), process.stdout);
  transport.onclose = () => void app.close();
  await server.connect(transport);
  app.get(Logger).log(`MCP server on stdio; Nomad at ${redactUrl(config.nomad.address)}`);
  void reportNomadStartupCheck(app);
}

async function runHttp(config: AppConfig): Promise<void> {
  const app = await createApp({ config });
  const { url, notes } = await listen(app);
  const log = app.get(Logger);
  for (const n of notes) log.warn(n);
  log.log(`Nomad MCP listening on ${url}  (REST ${url}/api/claude, Swagger UI ${url}/${DOCS_PATH}, MCP ${url}/mcp); Nomad at ${redactUrl(config.nomad.address)}`);
  void reportNomadStartupCheck(app);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  // `nomad-mcp audit …` reads the audit trail and exits: no HTTP server, no Nomad (see audit/audit-cli.ts)
  if (argv[0] === 'audit') {
    process.exitCode = await runAuditCli(argv.slice(1));
    return;
  }
  // settings first, read once: a bad value stops start-up with one clear line, before Nest prints anything
  const config = loadConfig(process.env);
  if (argv.includes('--stdio')) await runStdio(config);
  else await runHttp(config);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`nomad-mcp: ${err.message}\n`);
    process.exit(1);
  });
}
