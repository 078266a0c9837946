import type { JobDiff } from '@nomad-mcp/nomad';

/** A node of Nomad's diff tree (job, group, task or object): typed, named, with field changes and children. */
interface DiffNode {
  Type?: string;
  Name?: string;
  Fields?: Array<{ Type: string; Name: string; Old: string; New: string }> | null;
  Objects?: DiffNode[] | null;
  TaskGroups?: DiffNode[] | null;
  Tasks?: DiffNode[] | null;
}

const MARK: Record<string, string> = { Added: '+', Deleted: '-', Edited: '~' };
/** Field names whose values may be secrets (environment variables, template data): the change is shown, the value never. */
const SECRET_PATH = /(^|[^a-z])(Env|Meta|EmbeddedTmpl|Data|Vault|Password|Token|Secret)([^a-z]|$)/i;

/**
 * Nomad's job diff (plan and version diffs) as `+`/`-`/`~` lines with the path of each field, the way the
 * `nomad` CLI shows a plan: `~ group web: task nginx: Config.image: "nginx:1.27" → "nginx:1.28"`. Unchanged
 * nodes are skipped; values under env-like paths are never shown.
 */
export function diffLines(diff: JobDiff | null | undefined, max = 40): string[] {
  const out: string[] = [];
  if (diff && diff.Type !== 'None') walk(diff as DiffNode, '', out);
  return out.length > max ? [...out.slice(0, max), `… and ${out.length - max} more changes`] : out;
}

function walk(node: DiffNode, prefix: string, out: string[]): void {
  for (const f of node.Fields ?? []) {
    if (!f || typeof f !== 'object' || f.Type === 'None') continue;
    const path = `${prefix}${f.Name}`;
    const secret = SECRET_PATH.test(path);
    const value = (v: string) => (secret ? '(value hidden)' : JSON.stringify(v));
    if (f.Type === 'Added') out.push(`+ ${path}: ${value(f.New)}`);
    else if (f.Type === 'Deleted') out.push(`- ${path}: ${value(f.Old)}`);
    else out.push(`~ ${path}: ${secret ? '(value changed)' : `${value(f.Old)} → ${value(f.New)}`}`);
  }
  for (const [kind, children] of [['', node.Objects], ['group ', node.TaskGroups], ['task ', node.Tasks]] as const) {
    for (const child of children ?? []) {
      if (!child || typeof child !== 'object' || !child.Type || child.Type === 'None') continue;
      const label = `${prefix}${kind}${child.Name ?? ''}`;
      if ((child.Type === 'Added' || child.Type === 'Deleted') && kind) out.push(`${MARK[child.Type]} ${label}`);
      else walk(child, kind ? `${label}: ` : `${label}.`, out);
    }
  }
}
