import { Global, Module } from '@nestjs/common';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsController } from './metrics.controller';
import { ServiceMetrics } from './service-metrics';

/**
 * GET /metrics and the ServiceMetrics behind it; global, so that the rate-limit guard and the HTTP middleware
 * (bootstrap) reach the one instance of the app.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [ServiceMetrics, MetricsAccessGuard],
  exports: [ServiceMetrics],
})
export class MetricsModule {}
