import type { INestApplication } from '@nestjs/common';
import { OpenAPIObject, SwaggerCustomOptions, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';

/** The files Swagger UI's page loads, by name: nothing else of swagger-ui-dist is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** `prefix/<file>` for the files of ASSETS, read from `root` (swagger-ui-dist) when asked for. */
function serveAssets(fastify: FastifyInstance, prefix: string, root: string): void {
  fastify.get<{ Params: { file: string } }>(`${prefix.replace(/\/$/, '')}/:file`, (req, reply) => {
    const type = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!type) return reply.callNotFound();
    void reply.type(type).header('Cache-Control', 'public, max-age=3600').send(createReadStream(join(root, req.params.file)));
  });
}

/**
 * SwaggerModule.setup (the page, its init script and the JSON document), with Swagger UI's asset files served
 * by serveAssets. On Fastify, SwaggerModule serves them through @fastify/static, whose ESM-only dependencies
 * Jest cannot load and which adds 35 ms to start-up for five files; it asks for it through the app's
 * useStaticAssets, which is the one thing the app passed to it does differently.
 */
export function setupDocs(app: INestApplication, path: string, document: () => OpenAPIObject, options: SwaggerCustomOptions): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const ownAssets = (o: { root: string; prefix: string }) => serveAssets(fastify, o.prefix, o.root);
  const docsApp = new Proxy(app, { get: (target, prop, receiver) => (prop === 'useStaticAssets' ? ownAssets : Reflect.get(target, prop, receiver)) });
  SwaggerModule.setup(path, docsApp, document, options);
}
