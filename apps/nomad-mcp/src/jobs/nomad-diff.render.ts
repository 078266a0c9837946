import type { JobDiff } from '@nomad-mcp/nomad';
import { hideSecretArgs, hideUrlPasswords } from '../common/secret-names';
import { plural } from './job-diagnosis';

type Field = { Type: string; Name: string; Old: string; New: string; Annotations?: string[] | null };

/** A node of Nomad's diff tree (job, group, task or object): typed, named, with field changes and children. */
interface DiffNode {
  Type?: string;
  Name?: string;
  ID?: string;
  Fields?: Field[] | null;
  Objects?: DiffNode[] | null;
  TaskGroups?: DiffNode[] | null;
  Tasks?: DiffNode[] | null;
  /** A group's counts in a plan: "create", "in-place update", … → number. */
  Updates?: Record<string, number> | null;
  /** A task's in a plan: "forces create/destroy update" or "forces in-place update". */
  Annotations?: string[] | null;
}

const MARK: Record<string, string> = { Added: '+', Deleted: '-', Edited: '~' };
/** Field names whose values may be secrets (environment variables, template data): the change is shown, the value never. */
const SECRET_PATH = /(^|[^a-z])(Env|Meta|EmbeddedTmpl|Data|Vault|Password|Token|Secret)([^a-z]|$)/i;
/** The order the `nomad` CLI lists a group's update counts in. */
const UPDATE_ORDER = ['create', 'destroy', 'migrate', 'canary', 'in-place update', 'create/destroy update', 'ignore'];
/** A line (a block added or removed whole, a long value) is cut at this length. */
const LINE_MAX = 200;

/**
 * Nomad's job diff (plan and version diffs) as `+`/`-`/`~` lines with the path of each field, the way the
 * `nomad` CLI shows a plan: `~ group web: task nginx: Config.image: "nginx:1.27" → "nginx:1.28"`. A plan's
 * annotations come along: a group's counts (`~ group web (1 create/destroy update, 1 ignore)`), why a task
 * changes (`(forces create/destroy update)`), what a count change forces. A block added or removed whole is
 * one line; a new job is its groups and tasks. Unchanged nodes are skipped; values under env-like paths are
 * never shown.
 */
export function diffLines(diff: JobDiff | null | undefined, max = 40, budgetChars = Infinity): string[] {
  return boundDiffLines(allDiffLines(diff), max, budgetChars);
}

/** Every line of Nomad's diff as diffLines writes them (each cut at LINE_MAX), with no bound on how many. */
export function allDiffLines(diff: JobDiff | null | undefined): string[] {
  const out: string[] = [];
  const root = diff as DiffNode | null | undefined;
  if (root && (root.Type === 'Added' || root.Type === 'Deleted')) {
    out.push(`${MARK[root.Type]} job ${JSON.stringify(root.ID ?? '')}`);
    for (const g of root.TaskGroups ?? []) groupLines(g, out);
  } else if (root && root.Type !== 'None') {
    walk(root, '', out);
  }
  // a long value (a command line, a config blob) is cut
  return out.map(clip);
}

/**
 * The first lines of a diff: at most `max`, and no more than `budgetChars` characters. A header left last
 * without the changes under it is dropped too. When lines are left out, a last line says how many changes
 * (as changeCount counts them) and how many lines that is: the changes shown and left out add up to
 * changeCount of the whole diff.
 */
export function boundDiffLines(lines: string[], max = 40, budgetChars = Infinity): string[] {
  let keep = Math.min(lines.length, max);
  let used = 0;
  for (let i = 0; i < keep; i++) {
    used += lines[i].length + 1;
    if (used > budgetChars) keep = i;
  }
  if (keep === lines.length) return lines;
  while (keep > 0 && isHeader(lines[keep - 1])) keep--;
  return [...lines.slice(0, keep), leftOutLine(lines.slice(keep))];
}

/** "… and 35 more changes (70 more lines with their group and task headers)": what boundDiffLines left out. */
function leftOutLine(rest: string[]): string {
  const changes = changeCount(rest);
  const headers = rest.length - changes;
  return `… and ${plural(changes, 'more change')}${headers ? ` (${rest.length} more lines with their group and task headers)` : ''}`;
}

/** A line that only carries a plan's counts (`~ group web (1 create)`) or a task's reason (`~ group web: task app (forces …)`). */
const isHeader = (line: string) => /^~ group [^:]+(?:: task [^:]+)? \(.*\)$/.test(line);

/** The changes among diffLines' lines: not the headers that only carry a plan's counts or a task's reason, nor the line of what was left out. */
export function changeCount(lines: string[]): number {
  return lines.filter((l) => !l.startsWith('…') && !isHeader(l)).length;
}

/** "1 create, 2 in-place update" in the CLI's order. */
function updates(u: Record<string, number>): string {
  return Object.entries(u).filter(([, n]) => n > 0).sort(([a], [b]) => UPDATE_ORDER.indexOf(a) - UPDATE_ORDER.indexOf(b)).map(([k, n]) => `${n} ${k}`).join(', ');
}

const note = (parts: Array<string | undefined>) => {
  const text = parts.filter(Boolean).join('; ');
  return text ? ` (${text})` : '';
};

/** A group of a new or removed job: its line with its counts, and a line for each of its tasks. */
function groupLines(g: DiffNode, out: string[]): void {
  if (!g.Type || g.Type === 'None') return;
  out.push(`${MARK[g.Type]} group ${g.Name}${note([g.Updates ? updates(g.Updates) : undefined])}`);
  for (const t of g.Tasks ?? []) if (t.Type && t.Type !== 'None') out.push(`${MARK[t.Type]} group ${g.Name}: task ${t.Name}${note([t.Annotations?.join(', ')])}`);
}

function walk(node: DiffNode, prefix: string, out: string[]): void {
  for (const f of node.Fields ?? []) {
    if (!f || typeof f !== 'object' || f.Type === 'None') continue;
    out.push(fieldLine(f, `${prefix}${f.Name}`, argWord(node.Fields!, f)));
  }
  for (const child of node.Objects ?? []) {
    if (!child || typeof child !== 'object' || !child.Type || child.Type === 'None') continue;
    const label = `${prefix}${child.Name ?? ''}`;
    if (child.Type === 'Added' || child.Type === 'Deleted') out.push(`${MARK[child.Type]} ${label} ${block(child, label)}`);
    else walk(child, `${label}.`, out);
  }
  for (const [kind, children] of [['group ', node.TaskGroups], ['task ', node.Tasks]] as const) {
    for (const child of children ?? []) {
      if (!child || typeof child !== 'object' || !child.Type || child.Type === 'None') continue;
      const label = `${prefix}${kind}${child.Name ?? ''}`;
      const why = note([child.Updates ? updates(child.Updates) : undefined, child.Annotations?.join(', ')]);
      if (child.Type === 'Added' || child.Type === 'Deleted') {
        out.push(`${MARK[child.Type]} ${label}${why}`);
        if (kind === 'group ') for (const t of child.Tasks ?? []) if (t.Type && t.Type !== 'None') out.push(`${MARK[t.Type]} ${label}: task ${t.Name}${note([t.Annotations?.join(', ')])}`);
      } else {
        if (why) out.push(`~ ${label}${why}`);
        walk(child, `${label}: `, out);
      }
    }
  }
}

/** `args[3]`: one word of a task's command line, as Nomad's diff flattens Config.args. */
const ARG_FIELD = /^args\[(\d+)\]$/;
type Side = 'Old' | 'New';

/**
 * For a word of a command line, how that side's value may be shown: hidden when it is a secret flag's value
 * (`--password` before it, `--token=…` in it, as hideSecretArgs judges); also when the word before it is not
 * in the diff to judge by (a version diff leaves unchanged fields out), unless it is a flag itself.
 */
function argWord(fields: Field[], f: Field): ((v: string, side: Side) => string | undefined) | undefined {
  const n = ARG_FIELD.exec(f.Name)?.[1];
  if (n === undefined) return undefined;
  const before = fields.find((x) => x && x.Name === `args[${Number(n) - 1}]`);
  return (v, side) => {
    const words = Number(n) === 0 ? [v] : before ? [before[side] ?? '', v] : v.startsWith('-') ? [v] : undefined;
    const w = words && hideSecretArgs(words).pop();
    return w === '(hidden)' ? undefined : w;
  };
}

function fieldLine(f: Field, path: string, arg?: (v: string, side: Side) => string | undefined): string {
  const secret = SECRET_PATH.test(path);
  // a value on an ordinary path may still carry a URL's password (Config.args, a meta connection string)
  const shown = (v: string, side: Side) => (secret ? undefined : arg ? arg(v, side) : hideUrlPasswords(v));
  const value = (v: string, side: Side = 'New') => {
    const s = shown(v, side);
    return s === undefined ? '(value hidden)' : JSON.stringify(s);
  };
  const why = f.Annotations?.length ? ` (${f.Annotations.join(', ')})` : '';
  if (f.Type === 'Added') return `+ ${path}: ${value(f.New)}${why}`;
  if (f.Type === 'Deleted') return `- ${path}: ${value(f.Old, 'Old')}${why}`;
  const hidden = secret || shown(f.Old, 'Old') === undefined || shown(f.New, 'New') === undefined;
  return `~ ${path}: ${hidden ? '(value changed)' : `${value(f.Old, 'Old')} → ${value(f.New)}`}${why}`;
}

/** Fields that name a block, shown first in its one line (Nomad sorts fields by name). */
const NAMING_FIELDS = ['Name', 'Label', 'PortLabel', 'Provider', 'LTarget', 'Operand', 'RTarget', 'DestPath'];
const naming = (f: Field) => (NAMING_FIELDS.includes(f.Name) ? NAMING_FIELDS.indexOf(f.Name) : NAMING_FIELDS.length);

/** A block added or removed whole, in one piece: `{Label: "http", To: "80"}`, nested blocks inside. */
function block(node: DiffNode, path: string): string {
  const side = node.Type === 'Deleted' ? 'Old' : 'New';
  const secret = SECRET_PATH.test(path);
  const fields = (node.Fields ?? []).filter((f) => f && f[side] !== '');
  const shown = (f: Field) => {
    if (secret || SECRET_PATH.test(f.Name)) return '(hidden)';
    const arg = argWord(fields, f);
    const v = arg ? arg(f[side], side) : hideUrlPasswords(f[side]);
    return v === undefined ? '(hidden)' : JSON.stringify(v);
  };
  const parts = [...fields].sort((a, b) => naming(a) - naming(b)).map((f) => `${f.Name}: ${shown(f)}`);
  for (const child of node.Objects ?? []) if (child && child.Type !== 'None') parts.push(`${child.Name} ${block(child, `${path}.${child.Name}`)}`);
  return `{${parts.join(', ')}}`;
}

const clip = (line: string) => (line.length > LINE_MAX ? `${line.slice(0, LINE_MAX - 1)}…` : line);
