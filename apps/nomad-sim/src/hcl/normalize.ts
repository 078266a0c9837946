import type { Obj } from './decode';

/**
 * jobspec2's normalizeJob, applied to every parsed job (Canonicalize or not): ID and Name from the job's
 * label, `SpecType: "cron"` for a periodic job with a spec, tasks written at job level as groups of their
 * own, `port` blocks with a `static` value moved to ReservedPorts, template and vault defaults, the job's
 * vault for tasks without one, and the default workload identity moved to Task.Identity.
 */
export function normalizeJob(job: Obj, label: string, jobVault: Obj | null, soloTasks: Obj[], soloGroup: (task: Obj) => Obj): void {
  job.Name ??= label;
  job.ID ??= label;
  const periodic = job.Periodic as Obj | null;
  if (periodic && (periodic.Spec !== null || periodic.Specs !== null)) periodic.SpecType = 'cron';
  normalizeVault(jobVault);
  if (soloTasks.length) job.TaskGroups = [...soloTasks.map(soloGroup), ...((job.TaskGroups as Obj[] | null) ?? [])];
  for (const tg of (job.TaskGroups as Obj[] | null) ?? []) {
    normalizePorts(tg.Networks as Obj[] | null);
    for (const t of (tg.Tasks as Obj[] | null) ?? []) {
      if (t.Resources) normalizePorts((t.Resources as Obj).Networks as Obj[] | null);
      for (const tmpl of (t.Templates as Obj[] | null) ?? []) {
        tmpl.ChangeMode ??= 'restart';
        tmpl.Perms ??= '0644';
        tmpl.Splay ??= 5e9;
        tmpl.ErrMissingKey ??= false;
      }
      normalizeVault(t.Vault as Obj | null);
      t.Vault ??= jobVault;
      const ids = t.Identities as Obj[] | null;
      const i = ids?.findIndex((w) => w.Name === '' || w.Name === 'default') ?? -1;
      if (ids && i >= 0) {
        t.Identity = ids[i];
        ids.splice(i, 1);
      }
    }
  }
}

function normalizeVault(v: Obj | null): void {
  if (!v) return;
  v.Env ??= true;
  v.DisableFile ??= false;
  v.ChangeMode ??= 'restart';
}

/** A `port` block with `static` is a reserved port (and then ReservedPorts holds only those). */
function normalizePorts(networks: Obj[] | null): void {
  for (const n of networks ?? []) {
    const dynamicPorts = (n.DynamicPorts as Obj[] | null) ?? [];
    if (!dynamicPorts.length) continue;
    const dynamic = dynamicPorts.filter((p) => !((p.Value as number) > 0));
    const reserved = dynamicPorts.filter((p) => (p.Value as number) > 0);
    n.DynamicPorts = dynamic.length ? dynamic : null;
    n.ReservedPorts = reserved.length ? reserved : null;
  }
}
