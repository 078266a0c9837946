import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { collectRouteMethods } from './common/route-methods';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_RING, ApiKeyRing } from '@nomad-mcp/auth';
import { Logger } from 'nestjs-pino';
import { readFileSync } from 'node:fs';
import type pino from 'pino';
import { AppModule, AppModuleOptions, ROOT_LOGGER } from './app.module';
import { addRequestLog } from './common/request-log';
import { refineOpenApi } from './common/openapi-refine';
import { setupDocs } from './common/docs-ui';
import { hostPolicyOf } from './common/accepted-host';
import { MAX_PATH_SEGMENT, unroutableUrl } from './common/edge-refusal';
import { browserOriginCheck } from './common/browser-origin';
import { bodyOnlyWrites, jsonDepthLimit, jsonOnly, registerBodyParsers } from './common/json-body';
import { addHttpMetrics } from './metrics/http-metrics';
import { ServiceMetrics } from './metrics/service-metrics';
import { InputValidationPipe } from './common/validation';
import { AppConfig, APP_CONFIG, loadConfig } from './config/env.schema';
import type { HttpConfig } from './config/app-config';
import { VERSION } from './version';
import { ApiDocument } from './mcp/api-document';
import { TOOL_INPUT_MODELS } from './mcp/tool-catalog';
import { OperationRegistry } from './operations/core/operation.registry';
import { documentPathParams } from './operations/rest/rest-input';
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
    .setVersion(VERSION)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'One of the API keys the service accepts (API_KEYS or API_KEYS_FILE).' }, 'api-key')
    // not addBearerAuth(): it declares bearerFormat JWT, and the bearer token here is the API key itself
    .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'The API key itself as the bearer token (Authorization: Bearer <key>); not a JWT.' })
    .build();
  const registry = app.get(OperationRegistry);
  const models = [...new Set([...TOOL_INPUT_MODELS, ...registry.models()])];
  const document = SwaggerModule.createDocument(app, config, { extraModels: models });
  documentPathParams(document, registry.definitions());
  return refineOpenApi(document, [...models, PortMappingDto]);
}

/**
 * What every request meets before its route runs, in this order: cross-site browser requests are refused (403)
 * and the allowed ones get CORS answers, bodies that are not JSON are refused unread (415; the approval page's
 * forms under /ui excepted), writes under /api with a query string are refused (400: the body is their input),
 * JSON is parsed (and /ui's forms) and bounded in depth. Every answered request is counted and timed (metrics)
 * and, unless refused above, logged.
 */
function configureHttpEdge(app: NestFastifyApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG);
  const keys = app.get<ApiKeyRing>(API_KEY_RING);
  const fastify = app.getHttpAdapter().getInstance();
  collectRouteMethods(fastify);
  addHttpMetrics(fastify, app.get(ServiceMetrics));
  fastify.addHook('onRequest', browserOriginCheck({ ...hostPolicyOf(config, keys.enabled), allowedOrigins: config.allowedOrigins }));
  if (config.allowedOrigins.length) {
    // the web apps of MCP_ALLOWED_ORIGINS call from another origin: their browsers need CORS answers
    app.enableCors({
      origin: config.allowedOrigins,
      allowedHeaders: [
        'Content-Type', 'Authorization', 'X-API-Key', 'Accept', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID',
        // a web app may send its user's own Nomad token only when the service takes it
        ...(config.auth.tokenPassthrough ? ['X-Nomad-Token'] : []),
      ],
      exposedHeaders: ['Mcp-Session-Id', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }
  fastify.addHook('onRequest', jsonOnly);
  fastify.addHook('onRequest', bodyOnlyWrites);
  registerBodyParsers(fastify);
  fastify.addHook('preValidation', jsonDepthLimit);
  addRequestLog(fastify, app.get<pino.Logger>(ROOT_LOGGER));
}

/** Pipes, docs and logger shared by `npm start`, the demo, stdio mode and the e2e tests. */
export function configureApp(app: NestFastifyApplication, options: { serveDocs?: boolean } = {}): () => OpenAPIObject {
  app.useLogger(app.get(Logger));
  configureHttpEdge(app);
  app.useGlobalPipes(new InputValidationPipe());
  app.enableShutdownHooks();
  // built when first asked for (tools, /api/docs), once: not on the way to ready, nor on any other request
  const apiDocument = app.get(ApiDocument);
  apiDocument.set(() => buildOpenApi(app));
  const document = () => apiDocument.get();
  if (options.serveDocs !== false) {
    setupDocs(app, DOCS_PATH, document, {
      jsonDocumentUrl: 'api/docs-json',
      customSiteTitle: 'Nomad MCP API',
      swaggerOptions: { persistAuthorization: true },
    });
  }
  return document;
}

/** The server's certificate and key when TLS_CERT_FILE/TLS_KEY_FILE are set (loadConfig has checked they are a pair). */
function httpsOptionsOf(http: HttpConfig): { cert: Buffer; key: Buffer } | undefined {
  return http.tls && { cert: readFileSync(http.tls.certFile), key: readFileSync(http.tls.keyFile) };
}

function noRouteSchemas(): never {
  throw new Error('Fastify route schemas are not used by this service: input is validated by the operations\' DTOs.');
}

/**
 * The Nest application on Fastify: a JSON API's request path costs a fraction of Express's there (a cached
 * status call measured 470-680 -> 200-250 us of CPU, side by side). Trailing slashes are ignored, as Express
 * did; path parameters may be long enough that an over-long job ID gets the 400 that names it, not a 404.
 * Body size limits are the two body parsers' own (json-body.ts), the only parsers registered.
 */
export function newApp(module: DynamicModule, http: HttpConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    https: httpsOptionsOf(http),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_SEGMENT },
    frameworkErrors: unroutableUrl,
    // no Nest middleware here: the edge is Fastify hooks (configureHttpEdge)
    skipMiddie: true,
    // no route has a Fastify schema (the DTOs validate input): without these, Fastify loads Ajv and
    // fast-json-stringify at start-up for nothing (60-90 ms of the time to ready, measured here)
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  });
  // bodyParser: Nest's defaults include urlencoded everywhere; configureHttpEdge registers the two this API reads.
  // autoFlushLogs: logs wait until listening has worked (listen() flushes them), so a failed listen is one line.
  return NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, autoFlushLogs: false, abortOnError: false, bodyParser: false });
}

export async function createApp(options: AppModuleOptions = {}): Promise<NestFastifyApplication> {
  // loaded before the module: whether the server speaks HTTPS is decided when Nest creates it
  const config = options.config ?? loadConfig(options.env ?? process.env);
  const app = await newApp(AppModule.register({ ...options, config }), config.http);
  configureApp(app);
  return app;
}

/** A failed listen as one line that says what to change, instead of a bare `listen EADDRINUSE …`. */
export function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException)?.code;
  const free = 'set PORT=<another port> (or PORT=0 for any free port)';
  if (code === 'EADDRINUSE') return new Error(`port ${port} is in use on ${host}; ${free}.`);
  if (code === 'EACCES') return new Error(`port ${port} needs privileges this process does not have; ${free}.`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new Error(`cannot listen on HOST=${host} (${code}): it is not an address of this machine; set HOST to one (or leave it unset).`);
  }
  return new Error(`cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
}

/** What keeps changes that wait for a person (NOMAD_MCP_CONFIRM_BY=human) from reaching one, said at start-up. */
export function approvalNotes(confirmBy: string | undefined, keyed: boolean, publicUrl: string | undefined): string[] {
  if (confirmBy !== 'human') return [];
  if (!keyed) {
    return ["NOMAD_MCP_CONFIRM_BY=human without API keys: every caller is 'local', and nobody approves a change they asked for, so " +
      'changes would wait until they expire. Set API_KEYS_FILE with an identity for the agent and one with the approve scope for the person.'];
  }
  return publicUrl ? [] : ['NOMAD_MCP_CONFIRM_BY=human without PUBLIC_URL: approval links are paths (/ui/approvals/…); set PUBLIC_URL to the address people open, so the agent hands them a link that works.'];
}

/**
 * Listens where HOST/PORT say (HTTPS only, when TLS_CERT_FILE/TLS_KEY_FILE are set); with no API key
 * configured, only on loopback, whatever HOST says, so an unprotected service is never open to the network.
 */
export async function listen(app: NestFastifyApplication): Promise<{ url: string; host: string; port: number; protected: boolean; notes: string[] }> {
  const { http, auth } = app.get<AppConfig>(APP_CONFIG);
  const keys = app.get<ApiKeyRing>(API_KEY_RING);
  const notes: string[] = approvalNotes(auth?.confirmBy, keys.enabled, http.publicUrl);
  let host = http.host ?? (keys.enabled ? '0.0.0.0' : '127.0.0.1');
  if (!keys.enabled && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    notes.push(`No API key configured (API_KEYS or API_KEYS_FILE), so listening on 127.0.0.1 only instead of ${host}.`);
    host = '127.0.0.1';
  } else if (!keys.enabled) {
    notes.push('No API key configured: the API is open to local clients only (127.0.0.1). Set API_KEYS to require keys and accept network clients.');
  }
  try {
    await app.listen(http.port, host);
  } catch (err) {
    throw listenError(err, host, http.port);
  }
  app.flushLogs();
  const addr = app.getHttpServer().address() as { port: number };
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `${http.tls ? 'https' : 'http'}://${shown}:${addr.port}`, host, port: addr.port, protected: keys.enabled, notes };
}
