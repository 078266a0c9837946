import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '@nomad-mcp/auth';
import type { Response } from 'express';
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
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.scrape();
    // end(), not send(): send() rewrites the Content-Type's parameters into another order
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', this.metrics.contentType);
    res.end(text);
  }
}
