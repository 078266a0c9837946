import { Global, Module } from '@nestjs/common';
import { AuditStore } from './audit.store';

/**
 * The audit trail, for every module: AuditStore (configured by the `audit` config slice). It opens and migrates
 * its database when the app starts and closes it when the app shuts down (enableShutdownHooks or app.close()).
 */
@Global()
@Module({ providers: [AuditStore], exports: [AuditStore] })
export class AuditModule {}
