import type { Obj } from './decode';

/**
 * The Go API package's Job.Canonicalize (hashicorp/nomad v1.10.5 api/jobs.go, tasks.go, services.go,
 * resources.go), which `/v1/jobs/parse` runs when asked (`Canonicalize: true`): the client-side defaults,
 * not the server's. Objects it creates list their fields in Go struct order, as Go's encoder writes them.
 */

const S = 1e9;
const MIN = 60 * S;
const HOUR = 60 * MIN;

type Lst = Obj[] | null;

/** Fills nulls of `target` from `defaults` (Go's `if x == nil { x = default }`), keeping key order. */
function fill(target: Obj, defaults: Obj): Obj {
  for (const [k, v] of Object.entries(defaults)) target[k] ??= v;
  return target;
}

/** Go's Merge: the non-null fields of `over` replace those of a copy of `base`. */
function merge(base: Obj, over: Obj | null): Obj {
  const out = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

export function defaultUpdate(): Obj {
  return { Stagger: 30 * S, MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 5 * MIN, ProgressDeadline: 10 * MIN, Canary: 0, AutoRevert: false, AutoPromote: false };
}

function updateEmpty(u: Obj): boolean {
  return Object.entries(u).every(([, v]) => v === null || v === 0 || v === '' || v === false);
}

function defaultReschedule(type: string): Obj {
  if (type === 'service') return { Attempts: 0, Interval: 0, Delay: 30 * S, DelayFunction: 'exponential', MaxDelay: HOUR, Unlimited: true };
  if (type === 'batch') return { Attempts: 1, Interval: 24 * HOUR, Delay: 5 * S, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false };
  return { Attempts: 0, Interval: 0, Delay: 0, DelayFunction: '', MaxDelay: 0, Unlimited: false };
}

function defaultRestart(type: string): Obj {
  return type === 'service' || type === 'system'
    ? { Interval: 30 * MIN, Attempts: 2, Delay: 15 * S, Mode: 'fail', RenderTemplates: false }
    : { Interval: 24 * HOUR, Attempts: 3, Delay: 15 * S, Mode: 'fail', RenderTemplates: false };
}

const weighted = (list: Lst) => list?.forEach((a) => (a.Weight ??= 50));

export function canonicalizeApiJob(j: Obj): void {
  fill(j, { ID: '' });
  fill(j, {
    Name: j.ID, ParentID: '', Namespace: 'default', Priority: 50, Stop: false, Region: 'global', NodePool: '', Type: 'service', AllAtOnce: false,
    ConsulNamespace: '', VaultNamespace: '', NomadTokenID: '', Status: '', StatusDescription: '', Stable: false, Version: 0, CreateIndex: 0,
    ModifyIndex: 0, JobModifyIndex: 0,
  });
  const periodic = j.Periodic as Obj | null;
  if (periodic) {
    fill(periodic, { Enabled: true, Spec: '', Specs: [], SpecType: 'cron', ProhibitOverlap: false });
    if (!periodic.TimeZone) periodic.TimeZone = 'UTC';
  }
  if (j.Update) fill(j.Update as Obj, defaultUpdate());
  else if (j.Type === 'service') j.Update = defaultUpdate();
  for (const g of (j.TaskGroups as Lst) ?? []) canonicalizeGroup(g, j);
  weighted(j.Spreads as Lst);
  weighted(j.Affinities as Lst);
  const ui = j.UI as Obj | null;
  if (ui && !(ui.Links as Lst)?.length) ui.Links = null;
}

function canonicalizeGroup(g: Obj, job: Obj): void {
  const type = job.Type as string;
  g.Name ??= '';
  g.Count ??= 1;
  g.EphemeralDisk = g.EphemeralDisk ? fill(g.EphemeralDisk as Obj, { Sticky: false, Migrate: false, SizeMB: 300 }) : { Sticky: false, Migrate: false, SizeMB: 300 };
  const ju = job.Update as Obj | null;
  if (ju && g.Update) g.Update = merge(ju, g.Update as Obj);
  else if (ju && !updateEmpty(ju)) g.Update = { ...ju };
  if (g.Update) fill(g.Update as Obj, defaultUpdate());

  const jr = job.Reschedule as Obj | null;
  if (jr) g.ReschedulePolicy = merge(jr, g.ReschedulePolicy as Obj | null);
  if (!g.ReschedulePolicy && type !== 'system') g.ReschedulePolicy = defaultReschedule(type);
  if (g.ReschedulePolicy) fill(g.ReschedulePolicy as Obj, defaultReschedule(type));

  const jm = job.Migrate as Obj | null;
  if (jm) g.Migrate = merge(jm, g.Migrate as Obj | null);
  if (!g.Migrate && type === 'service') g.Migrate = { MaxParallel: null, HealthCheck: null, MinHealthyTime: null, HealthyDeadline: null };
  if (g.Migrate) fill(g.Migrate as Obj, { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 5 * MIN });

  g.RestartPolicy = merge(defaultRestart(type), g.RestartPolicy as Obj | null);
  for (const t of (g.Tasks as Lst) ?? []) canonicalizeTask(t, g, job);
  weighted(g.Spreads as Lst);
  weighted(g.Affinities as Lst);
  for (const s of (g.Services as Lst) ?? []) canonicalizeService(s, null, g, job);
  if (g.Disconnect) fill(g.Disconnect as Obj, { Replace: true, Reconcile: 'best_score' });
}

function canonicalizeTask(t: Obj, g: Obj, job: Obj): void {
  const r = (t.Resources as Obj | null) ?? { CPU: null, Cores: null, MemoryMB: null, MemoryMaxMB: null, DiskMB: null, Networks: null, Devices: null, NUMA: null, SecretsMB: null, IOPS: null };
  if (r.Cores === null) {
    r.Cores = 0;
    r.CPU ??= 100;
  }
  r.CPU ??= 0;
  r.MemoryMB ??= 300;
  t.Resources = r;
  t.KillTimeout ??= 5 * S;
  t.LogConfig = t.LogConfig ? fill(t.LogConfig as Obj, { MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false }) : { MaxFiles: 10, MaxFileSizeMB: 10, Enabled: null, Disabled: false };
  for (const a of (t.Artifacts as Lst) ?? []) {
    fill(a, { GetterMode: 'any', GetterInsecure: false, GetterSource: '' });
    if (!Object.keys((a.GetterOptions as Obj | null) ?? {}).length) a.GetterOptions = null;
    if (!Object.keys((a.GetterHeaders as Obj | null) ?? {}).length) a.GetterHeaders = null;
    if (a.RelativeDest === null) a.RelativeDest = a.GetterMode === 'file' ? `local/${String(a.GetterSource).split('/').filter(Boolean).pop() ?? '.'}` : 'local/';
  }
  const v = t.Vault as Obj | null;
  if (v) {
    fill(v, { Env: true, DisableFile: false, Namespace: '' });
    if (!v.Cluster) v.Cluster = 'default';
    fill(v, { ChangeMode: 'restart', ChangeSignal: 'SIGHUP', AllowTokenExpiration: false });
  }
  for (const tmpl of (t.Templates as Lst) ?? []) {
    fill(tmpl, { SourcePath: '', DestPath: '', EmbeddedTmpl: '', ChangeMode: 'restart' });
    tmpl.ChangeSignal = tmpl.ChangeSignal === null ? (tmpl.ChangeMode === 'signal' ? 'SIGHUP' : '') : String(tmpl.ChangeSignal).toUpperCase();
    fill(tmpl, { Once: false, Splay: 5 * S, Perms: '0644', LeftDelim: '{{', RightDelim: '}}', Envvars: false, ErrMissingKey: false, VaultGrace: 0 });
  }
  for (const s of (t.Services as Lst) ?? []) canonicalizeService(s, t, g, job);
  weighted(t.Affinities as Lst);
  for (const vm of (t.VolumeMounts as Lst) ?? []) fill(vm, { PropagationMode: 'private', ReadOnly: false, SELinuxLabel: '' });
  t.RestartPolicy = t.RestartPolicy ? merge(g.RestartPolicy as Obj, t.RestartPolicy as Obj) : g.RestartPolicy;
}

function canonicalizeService(s: Obj, t: Obj | null, g: Obj, job: Obj): void {
  if (!s.Name) s.Name = t ? `${String(job.Name)}-${String(g.Name)}-${String(t.Name)}` : `${String(job.Name)}-${String(g.Name)}`;
  if (!s.AddressMode) s.AddressMode = 'auto';
  if (!s.OnUpdate) s.OnUpdate = 'require_healthy';
  if (!s.Provider) s.Provider = 'consul';
  if (!s.Cluster) s.Cluster = 'default';
  for (const k of ['Meta', 'CanaryMeta', 'TaggedAddresses']) if (!Object.keys((s[k] as Obj | null) ?? {}).length) s[k] = null;
  const serviceRestart = s.CheckRestart as Obj | null;
  for (const c of (s.Checks as Lst) ?? []) {
    const own = c.CheckRestart as Obj | null;
    let cr: Obj | null = own;
    if (serviceRestart) {
      cr = { ...serviceRestart };
      if (own && (own.Limit as number) > 0) cr.Limit = own.Limit;
      if (own && own.Grace !== null) cr.Grace = own.Grace;
      if (own?.IgnoreWarnings) cr.IgnoreWarnings = true;
    }
    if (cr) cr.Grace ??= S;
    c.CheckRestart = cr;
    for (const k of ['SuccessBeforePassing', 'FailuresBeforeCritical', 'FailuresBeforeWarning']) if ((c[k] as number) < 0) c[k] = 0;
    if (!c.OnUpdate) c.OnUpdate = s.OnUpdate;
  }
}
