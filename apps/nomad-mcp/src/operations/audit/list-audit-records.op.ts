import { AuditStore } from '../../audit/audit.store';
import { plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { table } from '../core/render';
import { AuditPageResult, AuditRecordDto } from './audit-page.dto';
import { AuditQueryDto } from './audit-query.dto';

@Operation({
  name: 'list_audit_records',
  title: 'Read the audit trail',
  description:
    'Read the audit trail: who called which operation on which job, when, with what outcome and Nomad evaluation (newest first; ' +
    'secret argument values are redacted). Filter by identity, job, operation, outcome, since/until; page with next_cursor. Needs the admin scope. Read-only.',
  input: AuditQueryDto,
  output: AuditPageResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'admin',
  order: 9000,
  rest: { method: 'GET', path: '/api/audit' },
})
export class ListAuditRecordsOp implements OperationHandler<AuditQueryDto, AuditPageResult> {
  constructor(private readonly audit: AuditStore) {}

  async run(_ctx: OperationContext, q: AuditQueryDto): Promise<AuditPageResult> {
    const page = await this.audit.query({ ...q, limit: q.limit ?? 20 });
    const records = page.records as unknown as AuditRecordDto[];
    return {
      message: records.length
        ? `${plural(records.length, 'record')}, newest first${page.next_cursor ? '; more with cursor=next_cursor' : ''}.`
        : 'No audit records match.',
      count: records.length, records, next_cursor: page.next_cursor ?? null,
    };
  }

  render(r: AuditPageResult): string {
    if (!r.records.length) return r.message;
    return `${r.message}\n\n${table(r.records as never, ['time', 'identity', 'operation', 'namespace', 'job', 'outcome', 'status', 'eval_id'])}${r.next_cursor ? `\n\nnext_cursor: ${r.next_cursor}` : ''}`;
  }
}
