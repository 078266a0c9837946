import { randomUUID } from 'node:crypto';
import { globMatch, nowNs } from './wire';

/**
 * ACL tokens and namespace-scoped policies (BEHAVIOUR.md §3). Policies are written in Nomad's HCL rule
 * language; the simulator understands the common subset: namespace "<glob>" { policy = "...",
 * capabilities = [...] }, and node/agent { policy = "read"|"write" }.
 */

const READ = ['list-jobs', 'parse-job', 'read-job', 'csi-list-volume', 'csi-read-volume', 'list-scaling-policies', 'read-scaling-policy', 'read-job-scaling'];
const WRITE = [...READ, 'scale-job', 'submit-job', 'dispatch-job', 'read-logs', 'read-fs', 'alloc-exec', 'alloc-lifecycle', 'csi-write-volume', 'csi-mount-volume', 'submit-recommendation'];
const SCALE = ['list-scaling-policies', 'read-scaling-policy', 'read-job-scaling', 'scale-job'];
const POLICY_CAPS: Record<string, string[]> = { deny: [], read: READ, write: WRITE, scale: SCALE };

export interface AclPolicy {
  Name: string;
  Description: string;
  Rules: string;
  namespaces: Array<{ pattern: string; caps: Set<string> }>;
  node: string;
  agent: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclToken {
  AccessorID: string;
  SecretID: string;
  Name: string;
  Type: 'client' | 'management';
  Policies: string[];
  Global: boolean;
  CreateTime: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export class RuleParseError extends Error {}

export function parseRules(rules: string): Pick<AclPolicy, 'namespaces' | 'node' | 'agent'> {
  const namespaces: AclPolicy['namespaces'] = [];
  let node = '';
  let agent = '';
  const block = /(namespace)\s+"([^"]*)"\s*\{([^}]*)\}|(node|agent|operator|quota|plugin|host_volume)\s*\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  let matched = false;
  while ((m = block.exec(rules))) {
    matched = true;
    const body = m[3] ?? m[5];
    const policy = /policy\s*=\s*"([a-z-]+)"/.exec(body)?.[1];
    if (policy && !(policy in POLICY_CAPS) && m[1]) throw new RuleParseError(`Invalid namespace policy: "${policy}"`);
    if (m[1]) {
      const caps = new Set(policy ? POLICY_CAPS[policy] : []);
      const list = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body)?.[1];
      for (const c of list?.match(/"([^"]+)"/g) ?? []) caps.add(c.slice(1, -1));
      namespaces.push({ pattern: m[2], caps });
    } else if (m[4] === 'node') node = policy ?? '';
    else if (m[4] === 'agent') agent = policy ?? '';
  }
  if (!matched && rules.trim()) throw new RuleParseError('Failed to parse ACL Policy: no rules found');
  return { namespaces, node, agent };
}


export class AclStore {
  readonly tokens = new Map<string, AclToken>();
  readonly policies = new Map<string, AclPolicy>();

  constructor(readonly enabled: boolean, bootstrapSecret: string | undefined, index: number) {
    if (enabled && bootstrapSecret) this.addToken({ Name: 'Bootstrap Token', Type: 'management', Policies: [] }, index, bootstrapSecret);
  }

  addToken(t: { Name?: string; Type?: string; Policies?: string[] }, index: number, secret: string = randomUUID()): AclToken {
    const token: AclToken = {
      AccessorID: randomUUID(), SecretID: secret, Name: t.Name ?? '', Type: t.Type === 'management' ? 'management' : 'client',
      Policies: t.Policies ?? [], Global: false, CreateTime: new Date(Number(nowNs() / 1_000_000n)).toISOString(),
      CreateIndex: index, ModifyIndex: index,
    };
    this.tokens.set(secret, token);
    return token;
  }

  /** undefined = anonymous; null = a token was given but is unknown. */
  resolve(secret: string | undefined): AclToken | undefined | null {
    if (!secret) return undefined;
    return this.tokens.get(secret) ?? null;
  }

  private policiesOf(token: AclToken | undefined): AclPolicy[] {
    const names = token ? token.Policies : ['anonymous'];
    return names.map((n) => this.policies.get(n)).filter((p): p is AclPolicy => !!p);
  }

  /** Whether the token holds `cap` in `namespace` (the most specific matching rule wins, as in Nomad). */
  allowNamespace(token: AclToken | undefined, namespace: string, caps: string[]): boolean {
    if (!this.enabled || token?.Type === 'management') return true;
    for (const p of this.policiesOf(token)) {
      const rules = p.namespaces.filter((r) => globMatch(r.pattern, namespace));
      const exact = rules.find((r) => r.pattern === namespace);
      const best = exact ?? rules.sort((a, b) => b.pattern.length - a.pattern.length)[0];
      if (best && caps.some((c) => best.caps.has(c))) return true;
    }
    return false;
  }

  /** Any capability at all in the namespace (namespace read/list). */
  anyInNamespace(token: AclToken | undefined, namespace: string): boolean {
    if (!this.enabled || token?.Type === 'management') return true;
    return this.policiesOf(token).some((p) => p.namespaces.some((r) => globMatch(r.pattern, namespace) && r.caps.size > 0));
  }

  allowScope(token: AclToken | undefined, scope: 'node' | 'agent', write: boolean): boolean {
    if (!this.enabled || token?.Type === 'management') return true;
    return this.policiesOf(token).some((p) => p[scope] === 'write' || (!write && p[scope] === 'read'));
  }
}
