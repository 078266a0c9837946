import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AuditStore } from '../audit/audit.store';
import { HEALTH_TIMEOUT_MS } from './nomad.health';

/**
 * The audit trail is healthy when a record could be written now (AuditStore.checkWritable: a row inserted and
 * rolled back). When it is not, every change is refused (a change that cannot be recorded is not made), so a
 * replica in that state should get no traffic.
 */
@Injectable()
export class AuditHealthIndicator {
  constructor(
    private readonly audit: AuditStore,
    private readonly health: HealthIndicatorService,
  ) {}

  async isWritable(key = 'audit') {
    const check = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.audit.checkWritable(), timeout]);
      return check.up();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return check.down({ message: `The audit trail cannot be written (${reason}); changes are refused until it can. Check the audit database (AUDIT_DB_PATH or DATABASE_URL).` });
    } finally {
      clearTimeout(timer);
    }
  }
}
