import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OperationEvents } from './operation-events';

/** Logs each call's event: refusals and failures at warn, the rest at debug (request logs already say "200"). */
@Injectable()
export class OperationLog implements OnModuleInit {
  private readonly logger = new Logger('Operations');

  constructor(private readonly events: OperationEvents) {}

  onModuleInit(): void {
    this.events.events$.subscribe((e) => {
      const line = `${e.operation} by ${e.principal} over ${e.transport}: ${e.outcome} ${e.status} in ${e.duration_ms} ms` +
        `${e.namespace ? ` ns=${e.namespace}` : ''}${e.job ? ` job=${e.job}` : ''}${e.eval_id ? ` eval=${e.eval_id.slice(0, 8)}` : ''}`;
      if (e.outcome === 'denied') this.logger.warn(line);
      else this.logger.debug(line);
    });
  }
}
