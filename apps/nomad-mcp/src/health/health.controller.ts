import { Controller, Get } from '@nestjs/common';
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
  @ApiOperation({ summary: 'Service and Nomad health', description: 'Public. 200 when Nomad answers with a leader, 503 (with the reason) when it does not.' })
  check() {
    return this.health.check([() => this.nomad.isHealthy()]);
  }
}
