import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { Public } from '@nomad-mcp/auth';
import { AuditHealthIndicator } from './audit.health';
import { NomadHealthIndicator } from './nomad.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nomad: NomadHealthIndicator,
    private readonly audit: AuditHealthIndicator,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Service and Nomad health', description: 'Public. 200 when Nomad answers with a leader address; 503 when it does not, saying why: `details.nomad.reason` is connection-refused, dns, timeout, tls, unreachable, token-refused, no-leader, not-nomad or nomad-error.' })
  check() {
    return this.run([() => this.nomad.isHealthy()]);
  }

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness', description: 'Public. 200 while the process runs and answers; asks nothing of Nomad or the audit database (a liveness probe must not restart the service for what it cannot fix).' })
  live() {
    return { status: 'ok', info: { process: { status: 'up', uptime_seconds: Math.round(process.uptime()) } } };
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness', description: 'Public. 200 when Nomad answers with a leader address and the audit trail can be written; 503 otherwise, saying which is down and why (`details.nomad.reason` as for /health, `details.audit.message`). For load balancers: a replica that is not ready gets no traffic.' })
  ready() {
    return this.run([() => this.nomad.isHealthy(), () => this.audit.isWritable()]);
  }

  private async run(checks: HealthIndicatorFunction[]) {
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      // keep terminus' status/info/details, with a message that says what is down and why
      const body = err.getResponse() as { details?: Record<string, { status: string; message?: string }> };
      const down = Object.entries(body.details ?? {}).filter(([, d]) => d.status !== 'up');
      throw new ServiceUnavailableException({ ...body, message: `Service is up, but ${down.map(([k, d]) => `${k} is down: ${d.message ?? 'no detail'}`).join('; ')}` });
    }
  }
}
