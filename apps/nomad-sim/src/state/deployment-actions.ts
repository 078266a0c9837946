import { specChanged } from '../jobspec';
import { multiError, NomadHttpError, nowNs } from '../wire';
import { deploymentActive, DESCRIPTION, runningDescription } from './rollout';
import type { SimState } from './sim-state';
import type { Deployment, DeploymentStatus } from './types';

/** What /v1/deployment/{promote,fail,pause}/:id answer (structs.DeploymentUpdateResponse with its WriteMeta). */
export interface DeploymentUpdateResponse {
  EvalID: string;
  EvalCreateIndex: number;
  DeploymentModifyIndex: number;
  /** the stable version a failed rollout rolled the job back to; null when it did not */
  RevertedJobVersion: number | null;
  Index: number;
}

/**
 * What an operator (or the deployment watcher itself) does to a rollout, as Nomad's deployment endpoint and
 * watcher do it: promote canaries (the state store's UpdateDeploymentPromotion checks), fail with auto-revert
 * to the latest stable version, pause and resume. Each change comes with an evaluation of type
 * deployment-watcher that lets the scheduler carry on (none for a pause).
 */
export class DeploymentActions {
  constructor(private readonly sim: SimState) {}

  private get store() {
    return this.sim.store;
  }

  /** Promotes the canaries of every group (`all`) or of `groups`; every canary concerned must be healthy. */
  promote(d: Deployment, all: boolean, groups: string[]): DeploymentUpdateResponse {
    if (!deploymentActive(d)) throw new NomadHttpError(500, "can't promote terminal deployment");
    const chosen = (group: string) => all || groups.includes(group);
    const canaries = new Set(Object.values(d.TaskGroups).flatMap((g) => g.PlacedCanaries ?? []));
    const unhealthy: string[] = [];
    let haveCanaries = false;
    for (const a of this.store.allocsOfJob(d.Namespace, d.JobID)) {
      if (a.DeploymentID !== d.ID || !canaries.has(a.ID) || !chosen(a.TaskGroup)) continue;
      if (a.DeploymentStatus?.Healthy !== true) unhealthy.push(`Canary allocation "${a.ID}" for group "${a.TaskGroup}" is not healthy`);
      else haveCanaries = true;
    }
    if (unhealthy.length) throw new NomadHttpError(500, multiError(unhealthy));
    if (!haveCanaries) throw new NomadHttpError(500, 'no canaries to promote');
    for (const [name, g] of Object.entries(d.TaskGroups)) {
      if (!chosen(name)) continue;
      g.Promoted = true;
      this.sim.deployments.restartProgressDeadline(d, g);
    }
    const idx = this.changed(d, d.Status, d.Status === 'running' ? runningDescription(d) : d.StatusDescription, 'DeploymentPromotion');
    return this.sim.events.during('DeploymentPromotion', () => this.evaluate(d, idx));
  }

  /** Nomad's autoPromoteDeployment: once every canary of every group with canaries is healthy and all of them auto-promote. */
  autoPromote(d: Deployment): boolean {
    const withCanaries = Object.entries(d.TaskGroups).filter(([, g]) => g.DesiredCanaries > 0);
    if (d.Status !== 'running' || !withCanaries.length || withCanaries.every(([, g]) => g.Promoted)) return false;
    const healthy = new Set(this.store.allocsOfJob(d.Namespace, d.JobID).filter((a) => a.DeploymentStatus?.Healthy === true).map((a) => a.ID));
    const ready = withCanaries.every(([, g]) => g.AutoPromote && (g.PlacedCanaries ?? []).filter((id) => healthy.has(id)).length >= g.DesiredCanaries);
    if (ready) this.promote(d, true, []);
    return ready;
  }

  /** Marks the rollout failed by the user, rolling the job back when a group has auto_revert. */
  fail(d: Deployment): DeploymentUpdateResponse {
    if (!deploymentActive(d)) throw new NomadHttpError(500, "can't fail terminal deployment");
    return this.failWith(d, DESCRIPTION.failedByUser, true);
  }

  /**
   * Nomad's FailDeployment (and the watcher's failure on unhealthy allocations): status failed; with auto_revert,
   * the latest stable version is registered again as a new version, unless its spec is the current one. The
   * watcher evaluates the job in any case when a user failed it; on unhealthy allocations only to roll back
   * (a failed allocation of a job without a stable version is not placed again and again).
   */
  failWith(d: Deployment, base: string, alwaysEvaluate: boolean, rollback = Object.values(d.TaskGroups).some((g) => g.AutoRevert)): DeploymentUpdateResponse {
    const rec = this.store.jobRecord(d.Namespace, d.JobID);
    let description: string = base;
    let target: number | null = null;
    if (rec && rollback) {
      const stable = rec.versions.find((v) => v.Stable);
      if (!stable) description = `${base} - no stable job version to auto revert to`;
      else if (!specChanged(rec.job, stable)) description = `${base} - not rolling back to stable job version ${stable.Version} as current job has same specification`;
      else {
        description = `${base} - rolling back to job version ${stable.Version}`;
        target = stable.Version;
      }
    }
    const idx = this.changed(d, 'failed', description);
    if (target !== null) {
      const res = this.sim.jobs.revert(d.Namespace, d.JobID, target, undefined, 'deployment-watcher');
      const ev = this.store.evals.get(res.EvalID);
      if (ev) ev.DeploymentID = d.ID;
      return { EvalID: res.EvalID, EvalCreateIndex: res.EvalCreateIndex, DeploymentModifyIndex: idx, RevertedJobVersion: target, Index: res.Index };
    }
    if (!alwaysEvaluate || !rec) return { EvalID: '', EvalCreateIndex: 0, DeploymentModifyIndex: idx, RevertedJobVersion: null, Index: idx };
    return this.sim.events.during('DeploymentStatusUpdate', () => this.evaluate(d, idx));
  }

  /** Pauses (no evaluation: nothing more is placed) or resumes (an evaluation carries the rollout on). */
  pause(d: Deployment, pause: boolean): DeploymentUpdateResponse {
    if (!deploymentActive(d)) throw new NomadHttpError(500, pause ? "can't pause terminal deployment" : "can't resume terminal deployment");
    if (pause) {
      const idx = this.changed(d, 'paused', DESCRIPTION.paused);
      return { EvalID: '', EvalCreateIndex: 0, DeploymentModifyIndex: idx, RevertedJobVersion: null, Index: idx };
    }
    const idx = this.changed(d, 'running', DESCRIPTION.running);
    return this.sim.events.during('DeploymentStatusUpdate', () => this.evaluate(d, idx));
  }

  private changed(d: Deployment, status: DeploymentStatus, description: string, type = 'DeploymentStatusUpdate'): number {
    const idx = this.store.bump('deployments');
    Object.assign(d, { Status: status, StatusDescription: description, ModifyIndex: idx, ModifyTime: nowNs() });
    this.sim.events.during(type, () => {
      this.sim.events.publish('Deployment', d);
      this.sim.jobs.refresh(d.Namespace, d.JobID);
    });
    return idx;
  }

  /** The deployment-watcher evaluation that lets the scheduler act on the change. */
  private evaluate(d: Deployment, deploymentIndex: number): DeploymentUpdateResponse {
    const rec = this.store.jobRecord(d.Namespace, d.JobID);
    if (!rec) return { EvalID: '', EvalCreateIndex: 0, DeploymentModifyIndex: deploymentIndex, RevertedJobVersion: null, Index: deploymentIndex };
    // one write, as Nomad's: the evaluation is created at the deployment's modify index
    const ev = this.sim.scheduler.createEval(rec.job, 'deployment-watcher', deploymentIndex, undefined, { DeploymentID: d.ID });
    return { EvalID: ev.ID, EvalCreateIndex: deploymentIndex, DeploymentModifyIndex: deploymentIndex, RevertedJobVersion: null, Index: deploymentIndex };
  }
}
