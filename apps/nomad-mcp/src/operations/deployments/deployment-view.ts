import { Deployment } from '@nomad-mcp/nomad';
import { nsToIso } from '../../jobs/job-diagnosis';
import { shortId } from '../core/render';
import { rfcTime } from '../allocations/allocation-view';
import { DeploymentGroup, DeploymentListItem } from './dto/deployment.dto';

/** Nanoseconds as Go prints a duration, without zero parts: 600000000000 -> "10m", 90e9 -> "1m30s". */
export function nsDuration(ns: number): string {
  let s = Math.round(ns / 1e9);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

const ACTIVE = new Set(['running', 'paused', 'pending', 'initializing', 'blocked', 'unblocking']);

/** Nomad's Deployment.Active(): a rollout not finished yet, which holds back a restart or a scale. */
export const deploymentActive = (d: Deployment) => ACTIVE.has(d.Status);

export function deploymentGroups(d: Deployment): DeploymentGroup[] {
  return Object.entries(d.TaskGroups ?? {}).map(([group, g]) => ({
    group, desired: g.DesiredTotal, placed: g.PlacedAllocs, healthy: g.HealthyAllocs, unhealthy: g.UnhealthyAllocs,
    desired_canaries: g.DesiredCanaries ?? 0, placed_canaries: g.PlacedCanaries?.length ?? 0, promoted: !!g.Promoted,
    auto_promote: !!g.AutoPromote, auto_revert: !!g.AutoRevert,
    progress_deadline: g.ProgressDeadline ? nsDuration(g.ProgressDeadline) : null,
    require_progress_by: g.ProgressDeadline ? rfcTime(g.RequireProgressBy) : null,
  }));
}

export function deploymentItem(d: Deployment): DeploymentListItem {
  const groups = deploymentGroups(d);
  const sum = (k: 'desired' | 'placed' | 'healthy' | 'unhealthy') => groups.reduce((s, g) => s + g[k], 0);
  return {
    id: d.ID, job_version: d.JobVersion, status: d.Status, description: d.StatusDescription ?? '',
    desired: sum('desired'), placed: sum('placed'), healthy: sum('healthy'), unhealthy: sum('unhealthy'), created_at: nsToIso(d.CreateTime),
  };
}

/** A group's progress in words: "web: 2/3 healthy, 1 unhealthy; canaries 1/1, awaiting promotion". */
export function groupProgress(g: DeploymentGroup): string {
  let s = `${g.group}: ${g.healthy}/${g.desired} healthy`;
  if (g.unhealthy) s += `, ${g.unhealthy} unhealthy`;
  if (g.placed < g.desired) s += `, ${g.placed} placed`;
  if (g.desired_canaries) s += `; canaries ${g.placed_canaries}/${g.desired_canaries}${g.promoted ? ', promoted' : g.auto_promote ? ', promoted automatically once healthy' : ', awaiting promotion'}`;
  return s;
}

/** "Deployment 1a2b3c4d of job 'web' version 3 is running (Deployment is running): web: 1/3 healthy…" */
export function deploymentSentence(d: Deployment, groups: DeploymentGroup[]): string {
  const progress = groups.map(groupProgress).join('; ');
  const deadline = d.Status === 'running' ? groups.find((g) => g.require_progress_by) : undefined;
  return `Deployment ${shortId(d.ID)} of job '${d.JobID}' version ${d.JobVersion} is ${d.Status}${d.StatusDescription ? ` (${d.StatusDescription})` : ''}` +
    `${progress ? `: ${progress}` : ''}.${deadline ? ` The next allocation must turn healthy by ${deadline.require_progress_by} (progress deadline ${deadline.progress_deadline}).` : ''}`;
}
