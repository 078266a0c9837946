import type { Job } from './state/types';
import { field } from './wire';

/**
 * The services of a job as Nomad stores them (api Service.Canonicalize, then structs Service.Canonicalize):
 * every field present, a default name `<job>-<group>[-<task>]`, address mode "auto", provider "consul",
 * cluster "default", on_update "require_healthy", the namespace of the provider, the task's name; checks
 * named `service: "<name>" check` and inheriting on_update, check_restart merged in. Plan and version diffs
 * compare these, so a service reads the same however the request spelled it.
 */
export function canonicalizeServices(job: Job): Job {
  for (const tg of job.TaskGroups) {
    tg.Services = services(tg.Services, job, tg.Name, 'group');
    for (const t of tg.Tasks) t.Services = services(t.Services, job, tg.Name, t.Name);
  }
  return job;
}

type Raw = Record<string, unknown>;
const str = (o: unknown, k: string) => (field<string>(o, k) ?? '') || '';
const num = (o: unknown, k: string) => field<number>(o, k) ?? 0;
const bool = (o: unknown, k: string) => field<boolean>(o, k) ?? false;
const listOrNull = (v: unknown) => (Array.isArray(v) && v.length ? v : null);
const mapOrNull = (v: unknown) => (v && typeof v === 'object' && Object.keys(v).length ? v : null);

function services(raw: unknown, job: Job, group: string, task: string): Raw[] | null {
  if (!Array.isArray(raw) || !raw.length) return null;
  return raw.map((s: unknown) => {
    const provider = str(s, 'Provider') || 'consul';
    const onUpdate = str(s, 'OnUpdate') || 'require_healthy';
    const taskName = str(s, 'TaskName') || (task === 'group' ? '' : task);
    const name = interpolate(str(s, 'Name') || (task === 'group' ? `${job.Name}-${group}` : `${job.Name}-${group}-${task}`), job.ID, group, task);
    const restart = field<Raw>(s, 'CheckRestart');
    return {
      Name: name, TaskName: taskName, PortLabel: str(s, 'PortLabel'), AddressMode: str(s, 'AddressMode') || 'auto',
      Address: str(s, 'Address'), EnableTagOverride: bool(s, 'EnableTagOverride'), Tags: listOrNull(field(s, 'Tags')),
      CanaryTags: listOrNull(field(s, 'CanaryTags')),
      Checks: listOrNull((field<unknown[]>(s, 'Checks') ?? []).map((c) => check(c, name, taskName, onUpdate, restart))),
      Connect: field(s, 'Connect') ?? null, Meta: mapOrNull(field(s, 'Meta')), CanaryMeta: mapOrNull(field(s, 'CanaryMeta')),
      TaggedAddresses: mapOrNull(field(s, 'TaggedAddresses')),
      Namespace: provider === 'nomad' ? job.Namespace : str(s, 'Namespace') || 'default',
      OnUpdate: onUpdate, Provider: provider, Cluster: str(s, 'Cluster') || 'default', Identity: field(s, 'Identity') ?? null,
      Kind: str(s, 'Kind'), Weights: weights(field(s, 'Weights')),
    };
  });
}

/** ${JOB}, ${TASKGROUP}, ${TASK} and ${BASE} in a service name. */
function interpolate(name: string, job: string, group: string, task: string): string {
  const vars: Record<string, string> = { JOB: job, TASKGROUP: group, TASK: task, BASE: `${job}-${group}-${task}` };
  return name.replace(/\$\{(JOB|TASKGROUP|TASK|BASE)\}/g, (_m, k: string) => vars[k]);
}

function weights(w: unknown): Raw | null {
  if (!w || typeof w !== 'object') return null;
  return { Passing: Math.max(1, num(w, 'Passing')), Warning: Math.max(1, num(w, 'Warning')) };
}

function check(c: unknown, service: string, task: string, onUpdate: string, serviceRestart: Raw | undefined): Raw {
  const own = field<Raw>(c, 'CheckRestart');
  const restart = own || serviceRestart
    ? { Limit: num(own, 'Limit') || num(serviceRestart, 'Limit'), Grace: field<number>(own, 'Grace') ?? field<number>(serviceRestart, 'Grace') ?? 1_000_000_000, IgnoreWarnings: bool(own, 'IgnoreWarnings') || bool(serviceRestart, 'IgnoreWarnings') }
    : null;
  return {
    Name: str(c, 'Name') || `service: "${service}" check`, Type: str(c, 'Type'), Command: str(c, 'Command'), Args: listOrNull(field(c, 'Args')),
    Path: str(c, 'Path'), Protocol: str(c, 'Protocol'), PortLabel: str(c, 'PortLabel'), Expose: bool(c, 'Expose'),
    AddressMode: str(c, 'AddressMode'), Interval: num(c, 'Interval'), Timeout: num(c, 'Timeout'), InitialStatus: str(c, 'InitialStatus'),
    Notes: str(c, 'Notes'), TLSServerName: str(c, 'TLSServerName'), TLSSkipVerify: bool(c, 'TLSSkipVerify'), Method: str(c, 'Method'),
    Header: mapOrNull(field(c, 'Header')), CheckRestart: restart, GRPCService: str(c, 'GRPCService'), GRPCUseTLS: bool(c, 'GRPCUseTLS'),
    TaskName: str(c, 'TaskName') || task, SuccessBeforePassing: Math.max(0, num(c, 'SuccessBeforePassing')),
    FailuresBeforeCritical: Math.max(0, num(c, 'FailuresBeforeCritical')), FailuresBeforeWarning: Math.max(0, num(c, 'FailuresBeforeWarning')),
    Body: str(c, 'Body'), OnUpdate: str(c, 'OnUpdate') || onUpdate,
  };
}
