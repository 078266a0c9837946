import { deepEqual } from '../diff/diff-primitives';
import { field } from '../wire';
import type { Job, NetworkResource, StringMap, Task } from './types';

/**
 * scheduler/util.go tasksUpdated: whether a group's allocations must be replaced (a destructive update) to
 * run the new job version, or can be updated in place. Names the first difference found, as Nomad logs it.
 * Replacing: tasks added or removed, driver, user, config, env, artifacts, vault, templates, volume mounts,
 * resources, networks and ports, the ephemeral disk, the merged job/group/task meta, identities, Consul
 * namespace or cluster, connect services, turning logs on or off, restart render_templates. Everything
 * else (count, services, constraints, update/restart/reschedule policies, kill timeout) is in place.
 */
export function tasksUpdated(jobA: Job, jobB: Job, group: string): string | null {
  const a = jobA.TaskGroups.find((g) => g.Name === group);
  const b = jobB.TaskGroups.find((g) => g.Name === group);
  if (!a || !b) return 'task group';
  if (a.Tasks.length !== b.Tasks.length) return 'number of tasks';
  if (!deepEqual(a.EphemeralDisk, b.EphemeralDisk)) return 'ephemeral disk';
  const net = networkUpdated(a.Networks, b.Networks);
  if (net) return net;
  const consul = consulUpdated(a.Consul, b.Consul);
  if (consul) return consul;
  if (connectServiceUpdated(a.Services, b.Services)) return 'connect service';
  if (!deepEqual(a.Volumes ?? null, b.Volumes ?? null)) return 'volume request';
  if (!!a.RestartPolicy?.RenderTemplates !== !!b.RestartPolicy?.RenderTemplates) return 'group restart render_templates';
  for (const at of a.Tasks) {
    const bt = b.Tasks.find((t) => t.Name === at.Name);
    if (!bt) return 'task deleted';
    const checks: Array<[string, (t: Task) => unknown]> = [
      ['task driver', (t) => t.Driver], ['task user', (t) => t.User], ['task config', (t) => t.Config ?? null],
      ['task env', (t) => t.Env ?? {}], ['task artifacts', (t) => t.Artifacts ?? null], ['task vault', (t) => t.Vault ?? null],
      ['task templates', (t) => t.Templates ?? null], ['task csi config', (t) => t.CSIPluginConfig ?? null],
      ['task volume mount', (t) => t.VolumeMounts ?? null],
    ];
    for (const [what, get] of checks) if (!deepEqual(get(at), get(bt))) return what;
    const tc = consulUpdated(at.Consul, bt.Consul);
    if (tc) return tc;
    if (!deepEqual(combinedMeta(jobA, group, at), combinedMeta(jobB, group, bt))) return 'task meta';
    const taskNet = networkUpdated(at.Resources.Networks as NetworkResource[] | null, bt.Resources.Networks as NetworkResource[] | null);
    if (taskNet) return taskNet;
    for (const k of ['CPU', 'Cores', 'MemoryMB', 'MemoryMaxMB', 'SecretsMB'] as const) if (at.Resources[k] !== bt.Resources[k]) return `task ${k}`;
    if (!deepEqual(at.Resources.Devices ?? null, bt.Resources.Devices ?? null)) return 'task devices';
    if (!deepEqual(at.Resources.NUMA ?? null, bt.Resources.NUMA ?? null)) return 'numa';
    if (!deepEqual(at.Identity ?? null, bt.Identity ?? null) || !deepEqual(at.Identities ?? null, bt.Identities ?? null)) return 'task identity';
    if (!!at.LogConfig?.Disabled !== !!bt.LogConfig?.Disabled) return 'task log disabled';
    if (!!at.RestartPolicy?.RenderTemplates !== !!bt.RestartPolicy?.RenderTemplates) return 'task restart render_templates';
  }
  return null;
}

/** Job.CombinedTaskMeta: the job's meta, overridden by the group's, overridden by the task's. */
function combinedMeta(job: Job, group: string, task: Task): StringMap {
  const tg = job.TaskGroups.find((g) => g.Name === group);
  return { ...(job.Meta ?? {}), ...(tg?.Meta ?? {}), ...(task.Meta ?? {}) };
}

/** Mode, bandwidth, hostname, DNS, CNI and the port map (labels, static values, container ports, host networks). */
function networkUpdated(a: NetworkResource[] | null | undefined, b: NetworkResource[] | null | undefined): string | null {
  const [na, nb] = [a ?? [], b ?? []];
  if (na.length !== nb.length) return 'network lengths';
  for (let i = 0; i < na.length; i++) {
    const [x, y] = [na[i], nb[i]];
    if (x.Mode !== y.Mode) return 'network mode';
    if (x.MBits !== y.MBits) return 'network mbits';
    if (x.Hostname !== y.Hostname) return 'network hostname';
    if (!deepEqual(x.DNS ?? null, y.DNS ?? null)) return 'network dns';
    if (!deepEqual(x.CNI ?? null, y.CNI ?? null)) return 'network cni';
    if (!deepEqual(portMap(x), portMap(y))) return 'network port map';
  }
  return null;
}

function portMap(n: NetworkResource) {
  return [
    ...(n.ReservedPorts ?? []).map((p) => ({ Label: p.Label, Value: p.Value, To: p.To, HostIP: p.HostNetwork })),
    ...(n.DynamicPorts ?? []).map((p) => ({ Label: p.Label, Value: -1, To: p.To, HostIP: p.HostNetwork })),
  ];
}

function consulUpdated(a: unknown, b: unknown): string | null {
  const ns = (c: unknown) => (field<string>(c, 'Namespace') ?? '');
  if (ns(a) !== ns(b)) return 'consul namespace';
  if (a && b) {
    if (field(a, 'Cluster') !== field(b, 'Cluster')) return 'consul cluster';
    if (field(a, 'Partition') !== field(b, 'Partition')) return 'consul partition';
  }
  return null;
}

/** A service with a connect block: changing its connect, port label or cluster replaces the allocation. */
function connectServiceUpdated(a: unknown, b: unknown): boolean {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const sa of list(a)) {
    if (!field(sa, 'Connect')) continue;
    const sb = list(b).find((s) => field(s, 'Name') === field(sa, 'Name'));
    if (!sb) continue;
    if (!deepEqual(field(sa, 'Connect'), field(sb, 'Connect'))) return true;
    if (field(sa, 'PortLabel') !== field(sb, 'PortLabel') || field(sa, 'Cluster') !== field(sb, 'Cluster')) return true;
  }
  return false;
}
