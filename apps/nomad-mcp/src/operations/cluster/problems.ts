import { AllocationListStub, Deployment, Evaluation, JobListStub, NodeListStub } from '@nomad-mcp/nomad';
import { isFailureEvent, metricFailures, placementText, plural } from '../../jobs/job-diagnosis';
import { isOomKill } from '../allocations/allocation-view';
import { clip, shortId } from '../core/render';
import { deploymentGroups, groupProgress } from '../deployments/deployment-view';
import { currentAllocations, problemsOf } from '../jobs/get-job-status.op';
import { NextCallArguments, ProblemItem } from './dto/problems.dto';

/**
 * What is wrong in a cluster, read from the lists Nomad answers in one call each (jobs with their summaries,
 * allocations with their task states, blocked evaluations, deployments, nodes): one problem per job (its most
 * urgent, the others named in it) and per node, each with its cause in words and the call that shows more.
 */

export type Severity = 'critical' | 'error' | 'warning';

/** Kinds in order of urgency within a severity. */
export const KINDS = [
  'no_eligible_nodes', 'node_down', 'unplaceable', 'allocation_failed', 'crash_loop', 'deployment_failed', 'deployment_stuck', 'queued',
  'node_draining', 'node_ineligible', 'driver_unhealthy',
] as const;
export type Kind = (typeof KINDS)[number];

export interface Problem extends ProblemItem {
  severity: Severity;
  kind: Kind;
  /** The blocked evaluation of an unplaceable job, and the words of its failures in the summary, for the numbers the placement explainer adds. */
  blockedEval?: Evaluation;
  placementText?: string;
}

export interface ClusterState {
  jobs: JobListStub[];
  allocs: AllocationListStub[];
  blocked: Evaluation[];
  deployments: Deployment[];
  /** Undefined when they could not be read. */
  nodes?: NodeListStub[];
  /** Milliseconds since the epoch (restarts older than RECENT_MS are history). */
  now: number;
}

/** Restarts within this long make a crash loop; older ones are history. */
const RECENT_MS = 30 * 60_000;
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, error: 1, warning: 2 };
const ZERO_TIME = /^0001-01-01/;

const key = (ns: string, id: string) => `${ns}\u0000${id}`;

export function findProblems(s: ClusterState): Problem[] {
  const allocsByJob = groupBy(s.allocs, (a) => key(a.Namespace, a.JobID));
  const blockedByJob = groupBy(s.blocked, (e) => key(e.Namespace, e.JobID));
  const latestDeployment = new Map<string, Deployment>();
  for (const d of s.deployments) {
    const k = key(d.Namespace, d.JobID);
    if ((latestDeployment.get(k)?.CreateIndex ?? -1) < d.CreateIndex) latestDeployment.set(k, d);
  }
  const problems: Problem[] = [];
  for (const job of s.jobs) {
    if (job.Stop || job.Periodic || job.ParameterizedJob) continue;
    const k = key(job.Namespace, job.ID);
    const found = jobProblem(job, allocsByJob.get(k) ?? [], blockedByJob.get(k) ?? [], latestDeployment.get(k), s.now);
    if (found) problems.push(found);
  }
  if (s.nodes) problems.push(...nodeProblems(s.nodes, s.allocs));
  return problems.sort(byUrgency);
}

export function byUrgency(a: Problem, b: Problem): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) ||
    `${a.namespace}/${a.job_id}/${a.node_id}`.localeCompare(`${b.namespace}/${b.job_id}/${b.node_id}`);
}

interface Finding {
  kind: Kind;
  text: string;
  next: { tool: string; arguments: NextCallArguments };
  blockedEval?: Evaluation;
}

/** A job's findings, most urgent first, folded into one problem. */
function jobProblem(job: JobListStub, allocs: AllocationListStub[], blocked: Evaluation[], deployment: Deployment | undefined, now: number): Problem | undefined {
  const ref = { job_id: job.ID, namespace: job.Namespace };
  const findings: Finding[] = [];
  const ev = [...blocked].sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
  if (ev) {
    const failures = metricFailures(ev.FailedTGAllocs);
    const text = failures.length ? placementText(failures) : 'an evaluation is blocked waiting for room to place allocations';
    findings.push({ kind: 'unplaceable', text, next: { tool: 'get_evaluation', arguments: { eval_id: ev.ID } }, blockedEval: ev });
  }
  const current = currentAllocations(allocs);
  const failed = current.filter((a) => a.ClientStatus === 'failed' || a.ClientStatus === 'lost');
  if (failed.length) {
    const latest = [...failed].sort((a, b) => b.ModifyIndex - a.ModifyIndex)[0];
    findings.push({ kind: 'allocation_failed', text: `${failed.length > 1 ? `${failed.length} allocations failed; the latest, ` : 'allocation '}${shortId(latest.ID)}: ${allocCause(latest)}`, next: { tool: 'get_allocation', arguments: { alloc_id: latest.ID } } });
  }
  const looping = current.filter((a) => a.DesiredStatus === 'run' && (a.ClientStatus === 'running' || a.ClientStatus === 'pending') && restartsRecently(a, now));
  if (looping.length) {
    const a = looping[0];
    const restarts = Object.values(a.TaskStates ?? {}).reduce((n, t) => n + (t.Restarts ?? 0), 0);
    findings.push({ kind: 'crash_loop', text: `allocation ${shortId(a.ID)} is restarting in a loop (${plural(restarts, 'restart')}${looping.length > 1 ? `; ${looping.length} allocations in all` : ''}): ${allocCause(a)}`, next: { tool: 'get_allocation', arguments: { alloc_id: a.ID } } });
  }
  if (deployment && (deployment.Status === 'failed' || stuck(deployment, now))) {
    const progress = deploymentGroups(deployment).map(groupProgress).join('; ');
    const label = `deployment ${shortId(deployment.ID)} (version ${deployment.JobVersion})`;
    if (deployment.Status === 'failed') {
      // a failed allocation already says why; otherwise the health watcher's words do, and that allocation shows them
      const unhealthy = failed.length ? { text: '' } : unhealthyReason(allocs.filter((a) => a.DeploymentStatus?.Healthy === false));
      findings.push({
        kind: 'deployment_failed', text: `${label} failed: ${deployment.StatusDescription || 'no reason given'} (${progress})${unhealthy.text ? `; ${unhealthy.text}` : ''}`,
        next: unhealthy.alloc ? { tool: 'get_allocation', arguments: { alloc_id: unhealthy.alloc.ID } } : { tool: 'get_deployment', arguments: { deployment_id: deployment.ID } },
      });
    } else {
      findings.push({ kind: 'deployment_stuck', text: `${label} is ${deployment.Status === 'paused' ? 'paused' : 'past its progress deadline'} (${progress})`, next: { tool: 'get_deployment', arguments: { deployment_id: deployment.ID } } });
    }
  }
  const queued = Object.values(job.JobSummary?.Summary ?? {}).reduce((n, g) => n + (g.Queued ?? 0), 0);
  if (!findings.length && queued > 0) findings.push({ kind: 'queued', text: `${plural(queued, 'allocation')} queued, not placed yet`, next: { tool: 'get_job_status', arguments: ref } });
  if (!findings.length) return undefined;
  findings.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  // counted from the same list as the loops (the job summary is another read, a moment apart); an allocation
  // restarting in a loop is running now and then, but serves nothing
  const running = current.filter((a) => a.DesiredStatus === 'run' && a.ClientStatus === 'running' && !looping.includes(a)).length;
  const serves = job.Type === 'service' || job.Type === 'system';
  const serving = serves ? `${running ? `${running} running` : 'nothing running'}${looping.length ? `, ${looping.length} restarting in a loop` : ''}` : job.Status;
  const severity: Severity = findings[0].kind === 'queued' ? 'warning' : serves && running === 0 ? 'critical' : 'error';
  const [first, ...rest] = findings;
  const also = rest.length ? ` Also: ${rest.map((f) => clip(f.text, 160)).join('; ')}.` : '';
  return {
    severity, kind: first.kind, namespace: job.Namespace, job_id: job.ID, node_id: null,
    summary: `Job '${job.ID}' (${job.Type}, ${serving}): ${first.text}.${also}`, next: first.next,
    ...(first.blockedEval ? { blockedEval: first.blockedEval, placementText: first.text } : {}),
  };
}

/** The failure that explains an allocation: an OOM kill, an exit code, a failed pull — the cause, not "Not Restarting". */
function allocCause(a: AllocationListStub): string {
  const [p] = problemsOf([a]);
  if (!p) return `it is ${a.ClientStatus}`;
  const t = a.TaskStates?.[p.task];
  const restarts = t?.Restarts ? `, restarted ${plural(t.Restarts, 'time')}` : '';
  if ((t?.Events ?? []).some(isOomKill)) return `task '${p.task}' was killed for memory (OOM Killed, exit code 137${restarts}): raise its memory, or find what grows`;
  const exit = p.event === 'Terminated' ? [...(t?.Events ?? [])].reverse().find((e) => e.Type === 'Terminated' && isFailureEvent(e)) : undefined;
  return `task '${p.task}' ${exit ? `exited with code ${exit.ExitCode ?? '?'}${exit.Signal ? ` (signal ${exit.Signal})` : ''}` : `${p.event}: ${p.message}`}${restarts}`;
}

/** Restarted because it failed (not because someone asked), lately. */
function restartsRecently(a: AllocationListStub, now: number): boolean {
  return Object.values(a.TaskStates ?? {}).some((t) => {
    if (!t.Restarts) return false;
    const last = t.LastRestart && !ZERO_TIME.test(t.LastRestart) ? Date.parse(t.LastRestart) : NaN;
    return (Number.isNaN(last) || now - last < RECENT_MS) && (t.Events ?? []).some((e) => isFailureEvent(e) || isOomKill(e));
  });
}

/** Why allocations were unhealthy, in Nomad's words ("Services not healthy by deadline: web"), and the allocation that says so. */
function unhealthyReason(unhealthy: AllocationListStub[]): { text: string; alloc?: AllocationListStub } {
  for (const a of unhealthy) {
    for (const [task, t] of Object.entries(a.TaskStates ?? {})) {
      const e = [...(t.Events ?? [])].reverse().find((x) => x.Type === 'Alloc Unhealthy');
      if (e) return { text: `allocation ${shortId(a.ID)}, task '${task}': ${e.DisplayMessage || e.Message}`, alloc: a };
    }
  }
  const failing = unhealthy.find((a) => a.ClientStatus === 'failed');
  return failing ? { text: `allocation ${shortId(failing.ID)}: ${allocCause(failing)}`, alloc: failing } : { text: '' };
}

/** A running deployment past its progress deadline, or one paused. */
function stuck(d: Deployment, now: number): boolean {
  if (d.Status === 'paused') return true;
  if (d.Status !== 'running') return false;
  return Object.values(d.TaskGroups ?? {}).some((g) => g.ProgressDeadline && g.RequireProgressBy && !ZERO_TIME.test(g.RequireProgressBy) && Date.parse(g.RequireProgressBy) < now && g.HealthyAllocs < g.DesiredTotal);
}

function nodeProblems(nodes: NodeListStub[], allocs: AllocationListStub[]): Problem[] {
  const out: Problem[] = [];
  const node = (n: NodeListStub, severity: Severity, kind: Kind, text: string): Problem => ({
    severity, kind, namespace: null, job_id: null, node_id: n.ID, summary: `Node ${n.Name} (${shortId(n.ID)}) ${text}`, next: { tool: 'get_node', arguments: { node_id: n.ID } },
  });
  const usable = nodes.filter((n) => n.Status === 'ready' && n.SchedulingEligibility === 'eligible' && !n.Drain);
  if (nodes.length && !usable.length) {
    out.push({
      severity: 'critical', kind: 'no_eligible_nodes', namespace: null, job_id: null, node_id: null,
      summary: `No client node is ready and eligible (${plural(nodes.length, 'node')}: down, draining or ineligible): nothing new can be placed anywhere.`,
      next: { tool: 'list_nodes', arguments: {} },
    });
  }
  for (const n of nodes) {
    const live = allocs.filter((a) => a.NodeID === n.ID && a.DesiredStatus === 'run' && (a.ClientStatus === 'running' || a.ClientStatus === 'pending')).length;
    if (n.Status === 'down' || n.Status === 'disconnected') {
      const lost = allocs.filter((a) => a.NodeID === n.ID && (a.ClientStatus === 'lost' || a.ClientStatus === 'unknown')).length;
      const what = lost ? `${plural(lost, 'allocation')} on it ${lost === 1 ? 'was' : 'were'} lost (Nomad replaces them elsewhere when it can)` : 'nothing was running on it';
      out.push(node(n, 'critical', 'node_down', `is ${n.Status}${n.StatusDescription ? ` (${n.StatusDescription})` : ''}: its client stopped answering; ${what}.`));
    } else if (n.Drain) {
      out.push(node(n, 'warning', 'node_draining', `is draining: it takes no new allocations and ${plural(live, 'allocation')} still ${live === 1 ? 'runs' : 'run'} there, moving to other nodes.`));
    } else if (n.SchedulingEligibility !== 'eligible') {
      out.push(node(n, 'warning', 'node_ineligible', `is ineligible: nothing new is placed there (${plural(live, 'allocation')} still ${live === 1 ? 'runs' : 'run'}); set_node_eligibility eligible=true undoes it.`));
    }
    const broken = Object.entries(n.Drivers ?? {}).filter(([, d]) => d.Detected && !d.Healthy);
    if (broken.length && n.Status === 'ready') {
      out.push(node(n, 'warning', 'driver_unhealthy', `has an unhealthy task driver: ${broken.map(([name, d]) => `${name} (${d.HealthDescription || 'no reason given'})`).join(', ')}; tasks using it cannot start there.`));
    }
  }
  return out;
}

function groupBy<T>(items: T[], keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = keyOf(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}
