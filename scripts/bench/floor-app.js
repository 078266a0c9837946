/**
 * The floor of start-up and idle memory: the smallest app of the service's required stack (Nest core, common and
 * the Fastify platform the service runs on, Swagger's decorators, class-validator, class-transformer, axios), with one route,
 * /health/live, and the global validation pipe. Whatever the service does beyond this is its own cost; this much
 * any service built on that stack pays. Started like the service (PORT, HOST), with node's defaults.
 */
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { Controller, Get, Module, ValidationPipe } = require('@nestjs/common');
require('@nestjs/swagger');
require('class-validator');
require('class-transformer');
require('axios');

class HealthController {
  live() {
    return { status: 'ok' };
  }
}
Get('live')(HealthController.prototype, 'live', Object.getOwnPropertyDescriptor(HealthController.prototype, 'live'));
Controller('health')(HealthController);

class FloorModule {}
Module({ controllers: [HealthController] })(FloorModule);

(async () => {
  const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
})();
