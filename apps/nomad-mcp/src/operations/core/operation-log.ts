import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OperationEvents } from './operation-events';
import { OperationRegistry } from './operation.registry';

/**
 * Logs each call's event: refusals at warn; calls of operations that change something at info (the request log
 * keeps successes at debug, so this is the one line a change leaves at the default level); reads at debug.
 */
@Injectable()
export class OperationLog implements OnModuleInit {
  private readonly logger = new Logger('Operations');

  constructor(
    private readonly events: OperationEvents,
    private readonly registry: OperationRegistry,
  ) {}

  onModuleInit(): void {
    this.events.events$.subscribe((e) => {
      const line = `${e.operation} by ${e.principal} over ${e.transport}: ${e.outcome} ${e.status} in ${e.duration_ms} ms` +
        `${e.namespace ? ` ns=${e.namespace}` : ''}${e.job ? ` job=${e.job}` : ''}${e.eval_id ? ` eval=${e.eval_id.slice(0, 8)}` : ''}`;
      if (e.outcome === 'denied') this.logger.warn(line);
      else if (this.registry.find(e.operation)?.def.annotations.readOnly === false) this.logger.log(line);
      else this.logger.debug(line);
    });
  }
}
