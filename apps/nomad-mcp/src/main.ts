import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp, createApp, DOCS_PATH, listen } from './bootstrap';
import { loadConfig } from './config/env.schema';
import { McpService } from './mcp/mcp.service';

/** MCP over stdio for Claude Desktop: stdout carries the protocol, logs go to stderr. */
async function runStdio(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(), { bufferLogs: true, abortOnError: false });
  configureApp(app, { serveDocs: false });
  await app.init();
  const server = app.get(McpService).createServer();
  const transport = new StdioServerTransport();
  transport.onclose = () => void app.close();
  await server.connect(transport);
  app.get(Logger).log(`MCP server on stdio; Nomad at ${loadConfig(process.env).nomadAddr}`);
}

async function runHttp(): Promise<void> {
  const app = await createApp();
  const { url, notes } = await listen(app);
  const config = loadConfig(process.env);
  const log = app.get(Logger);
  for (const n of notes) log.warn(n);
  log.log(`Nomad MCP listening on ${url}  (REST ${url}/api/claude, Swagger UI ${url}/${DOCS_PATH}, MCP ${url}/mcp); Nomad at ${config.nomadAddr}`);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  // settings first: a bad value stops start-up with one clear line, before Nest prints anything
  loadConfig(process.env);
  if (argv.includes('--stdio')) await runStdio();
  else await runHttp();
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`nomad-mcp: ${err.message}\n`);
    process.exit(1);
  });
}
