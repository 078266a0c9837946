import type { NomadJob, NomadTask, NomadTaskGroup } from '@nomad-mcp/nomad';
import { hideSecretArgs, shownValue } from '../common/secret-names';
import { GroupSpecView, TaskSpecView } from '../operations/jobs/dto/job-spec-view.dto';

/**
 * A registered job's spec in the words an operator reads it in: images, resources, ports, services,
 * policies as sentences, constraints as expressions, env variables by name only. Lists are capped so the
 * answer stays small; the caps are said, never silent.
 */

export const MAX_GROUPS = 10;
const MAX_TASKS = 10;
const MAX_ITEMS = 10;
const MAX_META = 10;

type Raw = Record<string, unknown>;
const get = <T>(o: unknown, k: string): T | undefined => (o && typeof o === 'object' ? ((o as Raw)[k] as T) : undefined);
const list = (v: unknown): Raw[] => (Array.isArray(v) ? (v as Raw[]) : []);

/** Nanoseconds as Go prints a duration, without the zero parts: 90s → "1m30s", 3600s → "1h". */
export function duration(ns: unknown): string {
  const n = typeof ns === 'number' ? ns : 0;
  if (n === 0) return '0s';
  if (n % 1e9 !== 0) return `${Math.round(n / 1e6)}ms`;
  let s = n / 1e9;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

const capped = (items: string[], what: string) => (items.length > MAX_ITEMS ? [...items.slice(0, MAX_ITEMS), `… ${items.length - MAX_ITEMS} more ${what}`] : items);

export function metaOf(m: unknown): Record<string, string> | null {
  if (!m || typeof m !== 'object') return null;
  const entries = Object.entries(m as Record<string, string>);
  if (!entries.length) return null;
  // meta is free-form: a key named like a secret keeps its name only, as the HCL source and plan diffs show it
  const shown = entries.slice(0, MAX_META).map(([k, v]) => {
    const value = shownValue(k, String(v));
    return [k, value.length > 80 ? `${value.slice(0, 79)}…` : value];
  });
  if (entries.length > MAX_META) shown.push(['…', `${entries.length - MAX_META} more keys`]);
  return Object.fromEntries(shown);
}

export function constraintsOf(...lists: unknown[]): string[] {
  const out = lists.flatMap((l) => list(l).map((c) => `${get(c, 'LTarget') ?? ''} ${get(c, 'Operand') || '='} ${get(c, 'RTarget') ?? ''}`.trim()));
  return capped([...new Set(out)], 'constraints');
}

export function updateWords(u: unknown): string | null {
  if (!u || typeof u !== 'object' || !get<number>(u, 'MaxParallel')) return null;
  const canary = get<number>(u, 'Canary') ?? 0;
  return [
    `${get(u, 'MaxParallel')} at a time`, canary ? `${canary} ${canary === 1 ? 'canary' : 'canaries'} first${get(u, 'AutoPromote') ? ', promoted automatically' : ''}` : undefined,
    `healthy by ${get(u, 'HealthCheck') || 'checks'} after ${duration(get(u, 'MinHealthyTime'))} (deadline ${duration(get(u, 'HealthyDeadline'))})`,
    `progress deadline ${duration(get(u, 'ProgressDeadline'))}`, get(u, 'AutoRevert') ? 'auto-revert on failure' : 'no auto-revert',
  ].filter(Boolean).join(', ');
}

export function restartWords(r: unknown): string {
  if (!r) return 'none';
  const attempts = get<number>(r, 'Attempts') ?? 0;
  return `${attempts} ${attempts === 1 ? 'restart' : 'restarts'} in ${duration(get(r, 'Interval'))}, ${duration(get(r, 'Delay'))} apart, then ${get(r, 'Mode') || 'fail'}`;
}

export function rescheduleWords(r: unknown): string | null {
  if (!r) return null;
  const how = `${get(r, 'DelayFunction') || 'constant'} delay from ${duration(get(r, 'Delay'))}${get<number>(r, 'MaxDelay') ? ` up to ${duration(get(r, 'MaxDelay'))}` : ''}`;
  if (get(r, 'Unlimited')) return `unlimited, ${how}`;
  const attempts = get<number>(r, 'Attempts') ?? 0;
  return attempts ? `${attempts} in ${duration(get(r, 'Interval'))}, ${how}` : 'never';
}

function portsOf(g: NomadTaskGroup): string[] {
  const out: string[] = [];
  for (const n of g.Networks ?? []) {
    const mode = n.Mode && n.Mode !== 'host' ? ` ${n.Mode}` : '';
    for (const p of n.ReservedPorts ?? []) out.push(`${p.Label} ${p.Value}${p.To && p.To !== p.Value ? ` → ${p.To}` : ''} (static${mode})`);
    for (const p of n.DynamicPorts ?? []) out.push(`${p.Label}${p.To && p.To > 0 ? ` → ${p.To}` : ''} (dynamic host port${mode})`);
  }
  return capped(out, 'ports');
}

function servicesOf(services: unknown): string[] {
  return capped(list(services).map((s) => {
    const checks = list(get(s, 'Checks'));
    const port = get<string>(s, 'PortLabel');
    return `${get(s, 'Name') || '(unnamed)'} (${get(s, 'Provider') || 'consul'})${port ? ` on port ${port}` : ''}` +
      (checks.length ? `, ${checks.length === 1 ? '1 check' : `${checks.length} checks`} (${checks.map((c) => `${get(c, 'Type')}${get(c, 'Path') ? ` ${get(c, 'Path')}` : ''} every ${duration(get(c, 'Interval'))}`).slice(0, 3).join('; ')})` : '');
  }), 'services');
}

function resourcesOf(t: NomadTask): string {
  const r = (t.Resources ?? {}) as Raw;
  const parts = [get<number>(r, 'Cores') ? `${get(r, 'Cores')} cores` : `cpu ${get(r, 'CPU') ?? 0} MHz`, `memory ${get(r, 'MemoryMB') ?? 0} MB`];
  if (get<number>(r, 'MemoryMaxMB')) parts.push(`up to ${get(r, 'MemoryMaxMB')} MB`);
  if (list(get(r, 'Devices')).length) parts.push(`devices ${list(get(r, 'Devices')).map((d) => get(d, 'Name')).join(', ')}`);
  return parts.join(', ');
}

function commandOf(config: Raw | null | undefined): string | null {
  const cmd = get<string>(config, 'command');
  const args = list(get(config, 'args')).map(String);
  if (!cmd && !args.length) return null;
  // shown, so a password on the command line (--password=…, a URL's) is not
  const text = hideSecretArgs([cmd ?? '', ...args].filter(Boolean)).join(' ');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

function taskView(t: NomadTask): TaskSpecView {
  const config = (t.Config ?? null) as Raw | null;
  const image = get<string>(config, 'image');
  return {
    name: t.Name, driver: t.Driver, image: typeof image === 'string' ? image : null, command: commandOf(config),
    resources: resourcesOf(t), env: capped(Object.keys(t.Env ?? {}).sort(), 'variables'), services: servicesOf(t.Services), meta: metaOf(t.Meta),
  };
}

export function groupView(g: NomadTaskGroup): GroupSpecView {
  const tasks = g.Tasks ?? [];
  return {
    name: g.Name, count: g.Count ?? 1, ports: portsOf(g), services: servicesOf(g.Services), update: updateWords(g.Update),
    restart: restartWords(g.RestartPolicy), reschedule: rescheduleWords(g.ReschedulePolicy),
    constraints: constraintsOf(g.Constraints, ...tasks.map((t) => t.Constraints)), meta: metaOf(g.Meta),
    tasks: tasks.slice(0, MAX_TASKS).map(taskView),
  };
}

/** "periodic (cron "*\/5 * * * *")" or "parameterized (payload optional, meta required: a, b)", else null. */
export function launchOf(job: NomadJob): string | null {
  const p = job.Periodic as Raw | null | undefined;
  if (p && get(p, 'Enabled') !== false) return `periodic (${get(p, 'SpecType') || 'cron'} "${get(p, 'Spec') ?? list(get(p, 'Specs')).join('", "')}"${get(p, 'ProhibitOverlap') ? ', no overlap' : ''})`;
  const d = job.ParameterizedJob as Raw | null | undefined;
  if (d) {
    const req = list(get(d, 'MetaRequired')).map(String);
    return `parameterized (payload ${get(d, 'Payload') || 'optional'}${req.length ? `, meta required: ${req.join(', ')}` : ''})`;
  }
  return null;
}
