import { Global, Module } from '@nestjs/common';
import { AuditStore } from './audit.store';
import { PendingChangeStore } from './pending-changes.store';

/**
 * The audit trail, for every module: AuditStore (configured by the `audit` config slice) and the changes that
 * wait for a person's approval, kept in the same database. It opens and migrates its database when the app
 * starts and closes it when the app shuts down (enableShutdownHooks or app.close()).
 */
@Global()
@Module({ providers: [AuditStore, PendingChangeStore], exports: [AuditStore, PendingChangeStore] })
export class AuditModule {}
