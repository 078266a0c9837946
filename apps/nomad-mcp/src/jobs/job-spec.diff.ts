import { NomadJob, NomadTaskGroup } from '@nomad-mcp/nomad';

/**
 * What an update changes in the fields create_job manages, as Nomad's CLI shows a plan: `+` added, `-` removed,
 * `~` changed. Environment values are never shown (they may be secrets): only which variables change.
 */
export function specChanges(before: NomadJob, after: NomadJob): string[] {
  const out: string[] = [];
  const changed = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) out.push(`~ ${what}: ${show(a)} → ${show(b)}`);
  };
  changed('type', before.Type, after.Type);
  changed('datacenters', before.Datacenters, after.Datacenters);
  const groupsBefore = byName(before.TaskGroups);
  for (const [name, g] of byName(after.TaskGroups)) {
    const old = groupsBefore.get(name);
    groupsBefore.delete(name);
    if (!old) {
      out.push(`+ group ${name} (count ${g.Count ?? 1})`);
      continue;
    }
    changed(`group ${name} count`, old.Count, g.Count);
    changed(`group ${name} ports`, portLabels(old), portLabels(g));
    const tasksBefore = byName(old.Tasks);
    for (const [tname, t] of byName(g.Tasks)) {
      const was = tasksBefore.get(tname);
      tasksBefore.delete(tname);
      if (!was) {
        out.push(`+ task ${name}/${tname}`);
        continue;
      }
      changed(`task ${tname} image`, (was.Config as { image?: unknown } | undefined)?.image, (t.Config as { image?: unknown } | undefined)?.image);
      changed(`task ${tname} cpu (MHz)`, was.Resources?.CPU, t.Resources?.CPU);
      changed(`task ${tname} memory (MB)`, was.Resources?.MemoryMB, t.Resources?.MemoryMB);
      out.push(...envChanges(tname, was.Env ?? {}, t.Env ?? {}));
    }
    for (const tname of tasksBefore.keys()) out.push(`- task ${name}/${tname}`);
  }
  for (const name of groupsBefore.keys()) out.push(`- group ${name}`);
  return out;
}

function envChanges(task: string, a: Record<string, string>, b: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(b)) {
    if (!(k in a)) out.push(`+ task ${task} env ${k}`);
    else if (a[k] !== b[k]) out.push(`~ task ${task} env ${k} (value changed)`);
  }
  for (const k of Object.keys(a)) if (!(k in b)) out.push(`- task ${task} env ${k}`);
  return out;
}

type Named = { Name: string };
function byName<T extends Named>(list: T[] | null | undefined): Map<string, T> {
  return new Map((list ?? []).map((x) => [x.Name, x]));
}

function portLabels(g: NomadTaskGroup): string[] {
  return (g.Networks ?? []).flatMap((n) => [...(n.DynamicPorts ?? []), ...(n.ReservedPorts ?? [])].map((p) => (p.Value ? `${p.Label}:${p.Value}` : p.Label))).sort();
}

function show(v: unknown): string {
  if (v === undefined || v === null) return 'none';
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}
