import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_RING, ApiKeyRing } from '@nomad-mcp/auth';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { refineOpenApi } from './common/openapi-refine';
import { VALIDATION_OPTIONS } from './common/validation';
import { AppConfig, APP_CONFIG } from './config/env.schema';
import { ApiDocument } from './mcp/api-document';
import { TOOL_INPUT_MODELS } from './mcp/tool-catalog';
import { PortMappingDto } from './jobs/dto/create-job.dto';

export const DOCS_PATH = 'api/docs';

/** The OpenAPI document; its DTO schemas also feed the MCP and Claude tool definitions. */
export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Nomad MCP')
    .setDescription(
      "Claude's API for HashiCorp Nomad jobs: list, diagnose, start, stop, restart, create and read logs. " +
        'The same operations are offered as MCP tools at /mcp. Send the API key as X-API-Key or Authorization: Bearer.',
    )
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'One of the API keys the service accepts (API_KEYS or API_KEYS_FILE).' }, 'api-key')
    // not addBearerAuth(): it declares bearerFormat JWT, and the bearer token here is the API key itself
    .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'The API key itself as the bearer token (Authorization: Bearer <key>); not a JWT.' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: TOOL_INPUT_MODELS });
  return refineOpenApi(document, [...TOOL_INPUT_MODELS, PortMappingDto]);
}

/** Pipes, docs and logger shared by `npm start`, the demo, stdio mode and the e2e tests. */
export function configureApp(app: NestExpressApplication, options: { serveDocs?: boolean } = {}): OpenAPIObject {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new ValidationPipe(VALIDATION_OPTIONS));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const document = buildOpenApi(app);
  app.get(ApiDocument).set(document);
  if (options.serveDocs !== false) {
    SwaggerModule.setup(DOCS_PATH, app, document, {
      jsonDocumentUrl: 'api/docs-json',
      customSiteTitle: 'Nomad MCP API',
      swaggerOptions: { persistAuthorization: true },
    });
  }
  return document;
}

export async function createApp(options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(options), { bufferLogs: true, abortOnError: false });
  configureApp(app);
  return app;
}

/**
 * Listens where HOST/PORT say; with no API key configured, only on loopback, whatever HOST says, so an
 * unprotected service is never open to the network.
 */
export async function listen(app: NestExpressApplication): Promise<{ url: string; host: string; port: number; protected: boolean; notes: string[] }> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const keys = app.get<ApiKeyRing>(API_KEY_RING);
  const notes: string[] = [];
  let host = config.host ?? (keys.enabled ? '0.0.0.0' : '127.0.0.1');
  if (!keys.enabled && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    notes.push(`No API key configured (API_KEYS or API_KEYS_FILE), so listening on 127.0.0.1 only instead of ${host}.`);
    host = '127.0.0.1';
  } else if (!keys.enabled) {
    notes.push('No API key configured: the API is open to local clients only (127.0.0.1). Set API_KEYS to require keys and accept network clients.');
  }
  await app.listen(config.port, host);
  const addr = app.getHttpServer().address() as { port: number };
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { url: `http://${shown}:${addr.port}`, host, port: addr.port, protected: keys.enabled, notes };
}
