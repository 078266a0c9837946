import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { isWorkloadIdentity, NomadApiError, NomadService, NomadStatusApi } from '@nomad-mcp/nomad';
import { NOMAD_CONFIG, NomadConfig, redactUrl } from '../config';
import { describeNomadProblem, leaderProblem } from './nomad-problem';

/** A health check must answer quickly even when NOMAD_TIMEOUT_MS is long. */
export const HEALTH_TIMEOUT_MS = 3000;

/**
 * Nomad is healthy when /v1/status/leader answers with a leader address ("host:port"). When it is not,
 * the detail says why (connection refused, name not resolving, timeout, token refused, not Nomad…),
 * with `reason` for monitors. The address is shown without the password NOMAD_ADDR may carry.
 */
@Injectable()
export class NomadHealthIndicator {
  constructor(
    private readonly nomad: NomadService,
    private readonly status: NomadStatusApi,
    private readonly health: HealthIndicatorService,
    @Inject(NOMAD_CONFIG) private readonly config: NomadConfig,
  ) {}

  async isHealthy(key = 'nomad') {
    const check = this.health.check(key);
    const address = redactUrl(this.nomad.address);
    try {
      const timeoutMs = Math.min(HEALTH_TIMEOUT_MS, this.config.timeoutMs);
      // Nomad answers the leader to anyone, so a refused token shows only on a call that checks it
      const [leader] = await Promise.all([this.nomad.leader(timeoutMs) as Promise<unknown>, this.config.token ? this.tokenAccepted(timeoutMs) : undefined]);
      const problem = leaderProblem(leader, address);
      return problem ? check.down({ address, ...problem }) : check.up({ address, leader });
    } catch (err) {
      return check.down({ address, ...describeNomadProblem(err, address) });
    }
  }

  /**
   * Throws Nomad's refusal of the token; ACLs turned off (400 "ACL support disabled") accept any. A workload
   * identity that Nomad verified answers 404 "ACL token not found" (it is not an ACL token); a bad one 403.
   */
  private async tokenAccepted(timeoutMs: number): Promise<void> {
    try {
      await this.status.tokenSelf({ timeoutMs });
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 400 && /ACL support disabled/i.test(err.nomadMessage)) return;
      if (err instanceof NomadApiError && err.status === 404 && /token not found/i.test(err.nomadMessage)) {
        // a workload identity (the service running as a Nomad task) is verified, but is no ACL token
        if (isWorkloadIdentity(this.config.token)) return;
        throw new NomadApiError(403, err.nomadMessage, err.operation);
      }
      throw err;
    }
  }
}
