import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '@nomad-mcp/auth';
import type { FastifyReply } from 'fastify';
import { MetricsAccessGuard } from './metrics-access.guard';
import { ServiceMetrics } from './service-metrics';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  // the global key guard lets it through; MetricsAccessGuard takes an admin key or METRICS_TOKEN
  @Public()
  @UseGuards(MetricsAccessGuard)
  @ApiProduces('text/plain')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Prometheus text format: HTTP requests, tool calls, Nomad requests (each a counter and a duration histogram), audit writes, ' +
      'rate-limit refusals, confirmations and the Node process. Needs an API key with the scope `admin`, or METRICS_TOKEN as the bearer token when it is set.',
  })
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.scrape();
    void reply.headers({ 'Cache-Control': 'no-store', 'Content-Type': this.metrics.contentType }).send(text);
  }
}
