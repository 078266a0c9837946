import { BadRequestException, ConflictException } from '@nestjs/common';
import { Deployment, NomadApiError, NomadDeploymentsApi, NomadJobsApi } from '@nomad-mcp/nomad';
import { findById } from '../core/find-by-id';
import { OperationContext } from '../core/operation';
import { shortId } from '../core/render';
import { deploymentGroups, groupProgress } from './deployment-view';

/** The deployment a full ID or a unique prefix names, within the caller's namespaces; a 404 says how to find one. */
export async function findDeployment(ctx: OperationContext, deployments: NomadDeploymentsApi, id: string): Promise<Deployment> {
  const d = await findById<Deployment>(ctx, id, {
    what: 'deployment', field: 'deployment_id', namespaced: true,
    get: async (full) => (await deployments.get(full)).body,
    list: async (prefix) => (await deployments.list('*', { prefix })).body,
    nextStep: "Call list_deployments with the job's ID to see its deployments (get_job_status shows the latest).",
  });
  ctx.note({ job: d.JobID });
  return d;
}

/** "deployment 1a2b3c4d of job 'web' version 3" */
export const deploymentLabel = (d: Deployment) => `deployment ${shortId(d.ID)} of job '${d.JobID}' version ${d.JobVersion}`;

/** Where the rollout stands, group by group ("web: 1/3 healthy; canaries 1/1, awaiting promotion"). */
export const progress = (d: Deployment) => deploymentGroups(d).map(groupProgress).join('; ');

/** The job's JobModifyIndex now, which a confirmed plan is bound to (null when the job is gone). */
export async function jobModifyIndex(jobs: NomadJobsApi, d: Deployment): Promise<number | null> {
  return (await jobs.find(d.Namespace, d.JobID))?.body.JobModifyIndex ?? null;
}

/** The groups asked for, each one of the deployment's (400 naming `groups` otherwise); undefined for all of them. */
export function chosenGroups(d: Deployment, groups: string[] | undefined): string[] | undefined {
  if (!groups) return undefined;
  const known = Object.keys(d.TaskGroups ?? {});
  const unknown = groups.filter((g) => !known.includes(g));
  if (unknown.length) {
    throw new BadRequestException({
      message: `groups: ${unknown.map((g) => `'${g}'`).join(', ')} ${unknown.length === 1 ? 'is not a group' : 'are not groups'} of ${deploymentLabel(d)}; its groups are: ${known.join(', ') || '(none)'}`,
      errors: [{ field: 'groups', reasons: ['not a group of the deployment'] }],
    });
  }
  return [...new Set(groups)];
}

/** Nomad's lines of a multierror ("1 error occurred:\n\t* a\n\n" -> ["a"]), or its one message. */
function nomadLines(text: string): string[] {
  const items = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('* ')).map((l) => l.slice(2));
  return items.length ? items : [text.trim()];
}

/**
 * Nomad's refusals of a change to a deployment (a 500 with its reason) as a 409 that says where the rollout
 * stands and what to do instead; anything else is left to the pipeline's mapping.
 */
export function deploymentConflict(err: unknown, d: Deployment, done: string): unknown {
  if (!(err instanceof NomadApiError) || err.status !== 500) return err;
  const label = deploymentLabel(d);
  const text = err.nomadMessage;
  if (/terminal deployment/.test(text)) {
    return new ConflictException({
      message: `${label} has finished (${d.Status}${d.StatusDescription ? `: ${d.StatusDescription}` : ''}); it can no longer be ${done} (Nomad: ${text}).`,
      next_step: `Call get_job_status for job '${d.JobID}' to see its latest deployment (list_deployments lists them all); a new rollout starts with a new version of the job.`,
    });
  }
  if (/no canaries to promote/.test(text)) {
    return new ConflictException({
      message: `${label} has no canaries to promote${progress(d) ? ` (${progress(d)})` : ''}: its groups roll out without canaries, so it needs no promotion (Nomad: ${text}).`,
      next_step: 'Follow it with get_deployment; promotion applies to a rollout whose groups have `update { canary = N }`.',
    });
  }
  if (/is not healthy/.test(text)) {
    return new ConflictException({
      message: `Not every canary of ${label} is healthy yet, so it was not ${done}: ${nomadLines(text).join('; ')}.`,
      next_step: 'Wait for the canaries to turn healthy (get_deployment shows them), then promote again; if they fail instead, fail_deployment stops the rollout.',
    });
  }
  return err;
}
