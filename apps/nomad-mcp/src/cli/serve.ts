import { Logger } from 'nestjs-pino';
import { createApp, DOCS_PATH, listen } from '../bootstrap';
import { AppConfig, redactUrl } from '../config';
import { reportNomadStartupCheck } from '../health/nomad-startup.check';

/** `nomad-mcp serve`: the HTTP service (REST, MCP over Streamable HTTP, Swagger UI) until it is stopped. */
export async function runHttp(config: AppConfig): Promise<void> {
  const app = await createApp({ config });
  const { url, notes } = await listen(app);
  const log = app.get(Logger);
  for (const n of notes) log.warn(n);
  log.log(`Nomad MCP listening on ${url}  (REST ${url}/api/claude, Swagger UI ${url}/${DOCS_PATH}, MCP ${url}/mcp); Nomad at ${redactUrl(config.nomad.address)}`);
  void reportNomadStartupCheck(app);
}
