import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NomadService } from '@nomad-mcp/nomad';
import { NOMAD_CONFIG, NomadConfig, redactUrl } from '../config';
import { describeNomadProblem, leaderProblem } from './nomad-problem';

/** A health check must answer quickly even when NOMAD_TIMEOUT_MS is long. */
const HEALTH_TIMEOUT_MS = 3000;

/**
 * Nomad is healthy when /v1/status/leader answers with a leader address ("host:port"). When it is not,
 * the detail says why (connection refused, name not resolving, timeout, token refused, not Nomad…),
 * with `reason` for monitors. The address is shown without the password NOMAD_ADDR may carry.
 */
@Injectable()
export class NomadHealthIndicator {
  constructor(
    private readonly nomad: NomadService,
    private readonly health: HealthIndicatorService,
    @Inject(NOMAD_CONFIG) private readonly config: NomadConfig,
  ) {}

  async isHealthy(key = 'nomad') {
    const check = this.health.check(key);
    const address = redactUrl(this.nomad.address);
    try {
      const leader: unknown = await this.nomad.leader(Math.min(HEALTH_TIMEOUT_MS, this.config.timeoutMs));
      const problem = leaderProblem(leader, address);
      return problem ? check.down({ address, ...problem }) : check.up({ address, leader });
    } catch (err) {
      return check.down({ address, ...describeNomadProblem(err, address) });
    }
  }
}
