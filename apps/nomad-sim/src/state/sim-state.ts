import { Client } from './client';
import { DeploymentActions } from './deployment-actions';
import { Deployments } from './deployments';
import { EventBroker } from './events';
import { JobChildren } from './job-children';
import { Jobs } from './jobs';
import { Nodes } from './nodes';
import { Planner } from './planner';
import { Rescheduler } from './rescheduler';
import { Scheduler } from './scheduler';
import { Store } from './store';
import { JobSubmissions } from './submissions';
import type { Job } from './types';

/** Timings of the simulated client; tests shrink them, the demo keeps them human. */
export interface SimTimings {
  /** placement -> task running (or failing to pull). */
  startDelayMs: number;
  /** running -> healthy in its deployment. */
  healthyDelayMs: number;
  /** how long a batch task runs before exiting 0. */
  batchRunMs: number;
  /** stands in for RestartPolicy.Delay between driver failures. */
  restartDelayMs: number;
  /** how long a stopping task takes to be killed. */
  killDelayMs: number;
  /** stands in for update.healthy_deadline: an allocation of a rollout not healthy by then is unhealthy. */
  healthyDeadlineMs: number;
  /**
   * Simulated milliseconds per real millisecond of a duration a job spec gives (min_healthy_time,
   * progress_deadline, reschedule delays). Unset: healthyDelayMs / 10 s, so Nomad's default min_healthy_time of
   * 10 s takes healthyDelayMs; 1 honours every duration as written.
   */
  durationScale?: number;
  /** how often /v1/event/stream sends a `{}` heartbeat (Nomad: 30 s) */
  eventHeartbeatMs?: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  startDelayMs: 1500,
  healthyDelayMs: 2000,
  batchRunMs: 3000,
  restartDelayMs: 2000,
  killDelayMs: 500,
  healthyDeadlineMs: 10000,
};

/**
 * The simulated cluster: the store (tables and indexes) and the parts that act on it — job endpoints,
 * scheduler, client (task runner), deployment watcher, the operator's deployment actions and the node drainer.
 * The parts reach each other through this object.
 */
export class SimState {
  readonly store: Store;
  readonly jobs: Jobs;
  readonly planner: Planner;
  readonly scheduler: Scheduler;
  readonly client: Client;
  readonly deployments: Deployments;
  readonly nodes: Nodes;
  readonly children: JobChildren;
  readonly submissions = new JobSubmissions();
  readonly deploymentActions: DeploymentActions;
  readonly events: EventBroker;
  readonly rescheduler: Rescheduler;

  constructor(region: string, datacenter: string, readonly timings: SimTimings, nodeCount: number, readonly version = '1.10.5', eventBufferSize = 100) {
    this.store = new Store(region, datacenter, nodeCount);
    this.events = new EventBroker(() => this.store.index, eventBufferSize);
    this.jobs = new Jobs(this);
    this.planner = new Planner(this);
    this.scheduler = new Scheduler(this);
    this.client = new Client(this);
    this.deployments = new Deployments(this);
    this.nodes = new Nodes(this);
    this.children = new JobChildren(this);
    this.deploymentActions = new DeploymentActions(this);
    this.rescheduler = new Rescheduler(this);
  }

  /** A duration from a job spec (nanoseconds) as simulated milliseconds (see SimTimings.durationScale). */
  scaled(ns: number): number {
    const scale = this.timings.durationScale ?? this.timings.healthyDelayMs / 10_000;
    return Math.max(0, Math.round((ns / 1e6) * scale));
  }

  getJob(ns: string, id: string): Job | undefined {
    return this.store.getJob(ns, id);
  }

  close(): void {
    this.store.close();
  }
}
