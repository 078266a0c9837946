import { GROUP, JOB, TASK, VAULT } from './api-shapes';
import { scanBlocks, type ScannedBlock } from './block-scanner';
import { canonicalizeApiJob } from './canonicalize';
import { Decoder, type Obj } from './decode';
import { formatRange, HclError, type Diagnostic } from './diagnostics';
import { EvalError, evaluate, type Scope, type Value } from './evaluate';
import { hclToJson } from './hcl2json';
import { normalizeJob } from './normalize';

/**
 * Nomad's jobspec2.ParseWithConfig for `/v1/jobs/parse`: HCL2 text (and optional variable values, also
 * HCL) to the Go API's Job, Canonicalize on request. The syntax is checked by HashiCorp's own HCL parser
 * (hcl2json); the mapping to the Job follows jobspec2 for the blocks the simulator reads (api-shapes.ts).
 * Failures throw HclError, whose message is the text Nomad puts after `Failed to parse job: `.
 */
export interface ParseJobOptions {
  source: string;
  /** the request's `Variables`: HCL assignments (`name = value`) */
  variables?: string;
  canonicalize?: boolean;
}

const FILE = 'input.hcl';

type Body = Record<string, Value>;

export async function parseJobHcl(opts: ParseJobOptions): Promise<Obj> {
  const root = (await hclToJson(FILE, opts.source)) as Body;
  const varValues = opts.variables ? await variableContent(opts.variables) : {};
  const scan = scanBlocks(opts.source);
  const diags: Diagnostic[] = [];
  for (const key of Object.keys(root)) {
    if (['variable', 'variables', 'locals', 'job'].includes(key)) continue;
    const block = scan.blocks.find((b) => b.type === key);
    diags.push(block
      ? { range: block.typeRange, summary: 'Unsupported block type', detail: `Blocks of type "${key}" are not expected here.` }
      : { range: scan.attributes.find((a) => a.name === key)?.range, summary: 'Unsupported argument', detail: `An argument named "${key}" is not expected here.` });
  }
  if (diags.length) throw new HclError(diags);
  const scope: Scope = { vars: inputVariables(root, varValues), locals: {}, source: opts.source };
  try {
    scope.locals = localValues(root, scope);
    return decodeJob(root, scan, scope, !!opts.canonicalize);
  } catch (e) {
    if (e instanceof EvalError) throw new HclError([e.diagnostic]);
    throw e;
  }
}

async function variableContent(text: string): Promise<Body> {
  try {
    return (await hclToJson(FILE, text)) as Body;
  } catch (e) {
    throw new HclError(`unable to parse var content: ${(e as Error).message}`);
  }
}

/** `variable "x" { default = ... }` and `variables { x = ... }`, each set by the request's values if given. */
function inputVariables(root: Body, given: Body): Record<string, Value> {
  const declared: Record<string, { default?: Value; type?: string }> = {};
  for (const [name, blocks] of Object.entries((root.variable as Record<string, Body[]> | undefined) ?? {})) {
    const b = blocks[blocks.length - 1] ?? {};
    declared[name] = { default: b.default, type: typeof b.type === 'string' ? b.type.replace(/^\$\{(.*)\}$/, '$1') : undefined };
  }
  for (const block of (root.variables as Body[] | undefined) ?? []) {
    for (const [name, v] of Object.entries(block)) declared[name] = { default: v };
  }
  const values: Record<string, Value> = {};
  const unset: Diagnostic[] = [];
  for (const [name, d] of Object.entries(declared)) {
    const v = name in given ? given[name] : d.default;
    if (v === undefined) {
      unset.push({
        summary: `Unset variable "${name}"`,
        detail: 'A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/job-specification/hcl2/variables for details.',
      });
      continue;
    }
    values[name] = d.type === 'number' && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : d.type === 'string' && (typeof v === 'number' || typeof v === 'boolean') ? String(v) : v;
  }
  if (unset.length) throw new HclError(unset);
  return values;
}

/** `locals` blocks, each value evaluated once the locals it refers to are known (as jobspec2 retries). */
function localValues(root: Body, scope: Scope): Record<string, Value> {
  const pending: Array<[string, Value]> = [];
  for (const block of (root.locals as Body[] | undefined) ?? []) pending.push(...Object.entries(block));
  let stuck = 0;
  while (pending.length) {
    const [name, expr] = pending.shift()!;
    try {
      scope.locals[name] = evaluate(expr, scope);
      stuck = 0;
    } catch (e) {
      if (!(e instanceof EvalError) || ++stuck > pending.length) throw e;
      pending.push([name, expr]);
    }
  }
  return scope.locals;
}

function decodeJob(root: Body, scan: ScannedBlock, scope: Scope, canonicalize: boolean): Obj {
  const jobs = root.job as Record<string, Body[]> | undefined;
  const jobBlocks = scan.blocks.filter((b) => b.type === 'job');
  if (!jobs || !jobBlocks.length) throw new HclError([{ summary: 'Missing job block', detail: 'A job block is required' }]);
  if (jobBlocks.length > 1) {
    const previous = formatRange(FILE, jobBlocks[0].defRange);
    throw new HclError([{ range: jobBlocks[1].defRange, summary: 'Duplicate job block', detail: `Only one block of type "job" is allowed. Previous definition was at ${previous}.` }]);
  }
  const jobScan = jobBlocks[0];
  const label = jobScan.labels[0];
  const body = evaluate(jobs[label]?.[0] ?? {}, scope) as Body;
  const decoder = new Decoder();
  // job-level vault and task blocks are jobspec2 extras, read before the Job itself
  const { vault, task, ...rest } = body;
  const restScan = { ...jobScan, blocks: jobScan.blocks.filter((b) => b.type !== 'vault' && b.type !== 'task') };
  const job = decoder.decodeBody(rest, JOB, restScan, label);
  const vaultScan = jobScan.blocks.find((b) => b.type === 'vault');
  const jobVault = vault && vaultScan ? decoder.decodeBody((vault as Body[])[0], VAULT, vaultScan) : null;
  const soloTasks = task ? decoder.decodeBody({ task } as Body, { name: 'Job', fields: [{ go: 'Tasks', hcl: 'task', kind: { list: TASK } }] }, jobScan).Tasks as Obj[] : [];
  applyGroupVaults(job, jobScan, decoder, body);
  if (decoder.diags.length) throw new HclError(decoder.diags);
  normalizeJob(job, label, jobVault, soloTasks, (t) => ({ ...decoder.decodeBody({}, GROUP, jobScan, t.Name as string), Tasks: [t] }));
  if (canonicalize) canonicalizeApiJob(job);
  return job;
}

/** A group's `vault` block is the vault of its tasks that have none (jobspec2's decodeTaskGroup). */
function applyGroupVaults(job: Obj, jobScan: ScannedBlock, decoder: Decoder, body: Body): void {
  const groups = (job.TaskGroups as Obj[] | null) ?? [];
  const groupScans = jobScan.blocks.filter((b) => b.type === 'group');
  groups.forEach((g, i) => {
    const gs = groupScans[i];
    const vs = gs?.blocks.find((b) => b.type === 'vault');
    if (!vs) return;
    const raw = ((body.group as Record<string, Body[]>)[gs.labels[0]] ?? []).find((b) => b.vault !== undefined)?.vault as Body[] | undefined;
    const v = decoder.decodeBody(raw?.[0] ?? {}, VAULT, vs);
    for (const t of (g.Tasks as Obj[] | null) ?? []) t.Vault ??= v;
  });
}

