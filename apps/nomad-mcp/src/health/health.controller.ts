import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '@nomad-mcp/auth';
import { NomadHealthIndicator } from './nomad.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nomad: NomadHealthIndicator,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: 'Service and Nomad health', description: 'Public. 200 when Nomad answers with a leader address; 503 when it does not, saying why: `details.nomad.reason` is connection-refused, dns, timeout, tls, unreachable, token-refused, no-leader, not-nomad or nomad-error.' })
  async check() {
    try {
      return await this.health.check([() => this.nomad.isHealthy()]);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      // keep terminus' status/info/details, with a message that says what is down and why
      const body = err.getResponse() as { details?: Record<string, { status: string; message?: string }> };
      const down = Object.entries(body.details ?? {}).filter(([, d]) => d.status !== 'up');
      throw new ServiceUnavailableException({ ...body, message: `Service is up, but ${down.map(([k, d]) => `${k} is down: ${d.message ?? 'no detail'}`).join('; ')}` });
    }
  }
}
