import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { globMatch, nowNs } from './wire';

/**
 * ACL tokens and namespace-scoped policies (BEHAVIOUR.md §3). Policies are written in Nomad's HCL rule
 * language; the simulator understands the common subset: namespace "<glob>" { policy = "...",
 * capabilities = [...] }, and node/agent { policy = "read"|"write" }. Comments (#, //, /* *\/) are allowed.
 *
 * Workload identities: the JWT Nomad gives a task as NOMAD_TOKEN (`identity { env = true }`), signed by the
 * servers. It is accepted wherever a token is, holds the policies attached to its job (a policy's JobACL,
 * `nomad acl policy apply -job`), and is no ACL token: /v1/acl/token/self answers it 404.
 */

const READ = ['list-jobs', 'parse-job', 'read-job', 'csi-list-volume', 'csi-read-volume', 'list-scaling-policies', 'read-scaling-policy', 'read-job-scaling'];
const WRITE = [...READ, 'scale-job', 'submit-job', 'dispatch-job', 'read-logs', 'read-fs', 'alloc-exec', 'alloc-lifecycle', 'csi-write-volume', 'csi-mount-volume', 'submit-recommendation'];
const SCALE = ['list-scaling-policies', 'read-scaling-policy', 'read-job-scaling', 'scale-job'];
const POLICY_CAPS: Record<string, string[]> = { deny: [], read: READ, write: WRITE, scale: SCALE };

/** The workload a policy is attached to (`nomad acl policy apply -namespace -job -group -task`). */
export interface JobAcl {
  Namespace: string;
  JobID: string;
  Group: string;
  Task: string;
}

/** The claims of a task's workload identity, as Nomad writes them. */
export interface WorkloadClaims {
  nomad_namespace: string;
  nomad_job_id: string;
  nomad_allocation_id: string;
  nomad_task: string;
}

export interface AclPolicy {
  Name: string;
  Description: string;
  Rules: string;
  JobACL: JobAcl | null;
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
  /** Set for a workload identity resolved as a token: its claims (it is no ACL token). */
  workload?: WorkloadClaims;
}

export class RuleParseError extends Error {}

/** The text without its comments (strings kept as they are), so that a comment cannot read as a rule. */
export function withoutComments(text: string): string {
  return text.replace(/("(?:[^"\\]|\\.)*")|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, str: string | undefined) => str ?? ' ');
}

export function parseRules(text: string): Pick<AclPolicy, 'namespaces' | 'node' | 'agent'> {
  const rules = withoutComments(text);
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

  /** The servers' keyring that signs workload identities (HS256 here; Nomad's own keys are RS256/EdDSA). */
  private readonly signingKey = randomBytes(32);

  /**
   * `allocGroup`: the task group of a live allocation (undefined once it is gone: Nomad refuses the identity
   * of an allocation it no longer knows).
   */
  constructor(
    readonly enabled: boolean,
    bootstrapSecret: string | undefined,
    index: number,
    private readonly allocGroup: (allocId: string) => string | undefined = () => undefined,
  ) {
    if (enabled && bootstrapSecret) this.addToken({ Name: 'Bootstrap Token', Type: 'management', Policies: [] }, index, bootstrapSecret);
  }

  /** The workload identity Nomad gives a task of an allocation: a JWT with Nomad's claims. */
  signWorkloadIdentity(claims: WorkloadClaims): string {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT', kid: 'simulator' })}.${part({ ...claims, sub: `global:${claims.nomad_namespace}:${claims.nomad_job_id}:${claims.nomad_task}`, aud: 'nomadproject.io', iat: now, nbf: now })}`;
    return `${unsigned}.${this.signature(unsigned)}`;
  }

  private signature(unsigned: string): string {
    return createHmac('sha256', this.signingKey).update(unsigned).digest('base64url');
  }

  /** The claims of a workload identity this simulator signed, or undefined. */
  private verifyWorkloadIdentity(jwt: string): WorkloadClaims | undefined {
    const parts = jwt.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.signature(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as WorkloadClaims;
    } catch {
      return undefined;
    }
  }

  /** A workload identity as a client token holding the policies attached to its job, group or task. */
  private workloadToken(jwt: string): AclToken | null {
    const claims = this.verifyWorkloadIdentity(jwt);
    const group = claims && this.allocGroup(claims.nomad_allocation_id);
    if (!claims || group === undefined) return null;
    const attached = [...this.policies.values()].filter((p) => {
      const j = p.JobACL;
      // as Nomad's ResolvePoliciesForClaims: attached to the namespace, or to the job (its group, its task)
      if (!j || j.Namespace !== claims.nomad_namespace) return false;
      return !j.JobID || (j.JobID === claims.nomad_job_id && (!j.Group || (j.Group === group && (!j.Task || j.Task === claims.nomad_task))));
    });
    return {
      AccessorID: '', SecretID: jwt, Name: '', Type: 'client', Policies: attached.map((p) => p.Name), Global: false,
      CreateTime: '', CreateIndex: 0, ModifyIndex: 0, workload: claims,
    };
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
    return this.tokens.get(secret) ?? (secret.includes('.') ? this.workloadToken(secret) : null);
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
