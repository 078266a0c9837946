import { ConfirmationGate } from './core/confirmation.gate';
import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { loadOperationClasses, OPERATIONS_DIR } from './core/operation-loader';
import { OperationEvents } from './core/operation-events';
import { OperationLog } from './core/operation-log';
import { OperationExecutor } from './core/operation.executor';
import { OPERATION_CLASSES, OperationRegistry } from './core/operation.registry';
import { JobAccess } from './jobs/job-access';
import { JobPlanner } from './jobs/job-planner';
import { JobSpecReader } from './jobs/job-spec-input';
import { PlacementExplainer } from './jobs/placement';
import { buildOperationsController } from './rest/operation-routes';

/** Providers the operations of a resource share (not operations themselves). */
const SUPPORT = [JobAccess, PlacementExplainer, JobSpecReader, JobPlanner];

/**
 * Every operation (found by file: `operations/<resource>/<name>.op.ts`), the registry of them, the executor
 * that runs each call, the event stream of calls, and one REST route per operation.
 */
@Module({})
export class OperationsModule {
  /** `extraDirs`: more folders of operation files (tests use it to prove that one file is all it takes). */
  static register(extraDirs: string[] = []): DynamicModule {
    const classes = loadOperationClasses(OPERATIONS_DIR, ...extraDirs);
    return {
      module: OperationsModule,
      // the connection check (check_connection) is the start-up check's
      imports: [HealthModule],
      controllers: [buildOperationsController(classes)],
      providers: [...SUPPORT, ...classes, { provide: OPERATION_CLASSES, useValue: classes }, OperationRegistry, ConfirmationGate, OperationExecutor, OperationEvents, OperationLog],
      exports: [OperationRegistry, ConfirmationGate, OperationExecutor, OperationEvents, OperationLog],
      global: true,
    };
  }
}
