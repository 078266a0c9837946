export * from './audit-record';
export { AuditDatabaseError } from './audit-database';
export { AuditModule } from './audit.module';
export { AuditStore, newAuditId } from './audit.store';
export { redactArguments, REDACTED } from './redact-arguments';
export { PendingChangeStore, PendingChange, PendingStatus, APPROVAL_ID } from './pending-changes.store';
