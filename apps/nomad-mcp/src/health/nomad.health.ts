import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NomadError, NomadService } from '@nomad-mcp/nomad';

/** Nomad is healthy when it answers /v1/status/leader with a leader address. */
@Injectable()
export class NomadHealthIndicator {
  constructor(
    private readonly nomad: NomadService,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'nomad') {
    const check = this.health.check(key);
    try {
      const leader = await this.nomad.leader(3000);
      return leader ? check.up({ address: this.nomad.address, leader }) : check.down({ address: this.nomad.address, message: 'no cluster leader' });
    } catch (err) {
      return check.down({ address: this.nomad.address, message: err instanceof NomadError ? err.message : 'health check failed' });
    }
  }
}
