import { Inject, Injectable } from '@nestjs/common';
import { AclTokenSelf, isWorkloadIdentity, NomadApiError, NomadNamespacesApi, NomadService, NomadStatusApi, scopedNomadToken, workloadIdentityClaims } from '@nomad-mcp/nomad';
import { NOMAD_CONFIG, NomadConfig, redactUrl } from '../config';
import { describeNomadProblem, leaderProblem } from './nomad-problem';

/** One thing the check found: `warn` for a problem (a sentence that says what to fix), `log` for what is fine. */
export interface ConnectionFinding {
  level: 'log' | 'warn';
  message: string;
}

/** The Nomad token a check ran with, as Nomad describes it (never its secret). */
export interface TokenIdentity {
  accessor_id: string;
  name: string;
  type: 'client' | 'management';
  policies: string[];
  expires_at: string | null;
}

/** What the check learned of Nomad and of the token it used; unknown facts are null. */
export interface ConnectionReport {
  /** NOMAD_ADDR without its password. */
  address: string;
  reachable: boolean;
  leader: string | null;
  /** Filled in with `cluster: true`: the agent's region and Nomad version (agent:read), else the only region. */
  region: string | null;
  version: string | null;
  acl_enabled: boolean | null;
  /** How the token is named in sentences: NOMAD_TOKEN, or the caller's own ("the Nomad token of identity 'x' (…)"). */
  token_source: string;
  token: TokenIdentity | null;
  /** The namespace checked: the default one, or the one asked about. */
  namespace: string;
  namespace_exists: boolean | null;
  /** In order: problems and facts, one sentence each. */
  findings: ConnectionFinding[];
}

const warn = (message: string): ConnectionFinding => ({ level: 'warn', message });
const info = (message: string): ConnectionFinding => ({ level: 'log', message });

/** Whose token the calls send, and how to fix it when Nomad refuses it. */
interface TokenSubject {
  name: string;
  set: boolean;
  fix: string;
  /** The token itself, only to tell a workload identity (a JWT) from an ACL token; never shown. */
  token?: string;
}

/**
 * Asks Nomad what a user would otherwise find out at the first call: is it there and is it Nomad, is the token
 * accepted and what may it do, does the default namespace exist (and, for check_connection, its region and
 * version). Shared by the start-up check (NOMAD_TOKEN) and the check_connection operation, whose calls carry
 * the caller's own Nomad token when it has one. Each problem is one sentence that says what to fix.
 */
@Injectable()
export class NomadConnectionCheck {
  constructor(
    private readonly nomad: NomadService,
    private readonly status: NomadStatusApi,
    private readonly namespaces: NomadNamespacesApi,
    @Inject(NOMAD_CONFIG) private readonly config: NomadConfig,
  ) {}

  /** `cluster`: also the region and version; `namespace`: the namespace to check (default: DEFAULT_NAMESPACE). */
  async check(opts: { cluster?: boolean; namespace?: string } = {}): Promise<ConnectionReport> {
    const subject = this.subject();
    const report: ConnectionReport = {
      address: redactUrl(this.nomad.address), reachable: false, leader: null, region: null, version: null, acl_enabled: null,
      token_source: subject.name, token: null, namespace: opts.namespace ?? this.config.defaultNamespace, namespace_exists: null, findings: [],
    };
    let leader: unknown;
    try {
      leader = await this.nomad.leader();
    } catch (err) {
      report.findings.push(warn(describeNomadProblem(err, report.address).message));
      return report;
    }
    report.reachable = true;
    const notLeader = leaderProblem(leader, report.address);
    if (notLeader) {
      report.findings.push(warn(notLeader.message));
      return report;
    }
    report.leader = leader as string;
    const [stop, cluster] = await Promise.all([this.checkToken(report, subject), opts.cluster ? this.describeCluster(report) : []]);
    if (!stop) await this.checkNamespace(report, subject);
    report.findings.push(...cluster);
    if (stop) return report;
    if (!report.findings.some((f) => f.level === 'warn')) {
      const which = report.namespace === this.config.defaultNamespace ? 'default namespace' : 'namespace';
      report.findings.push(info(`Nomad at ${report.address} is ready: leader ${report.leader}, ${which} '${report.namespace}' exists.`));
    }
    return report;
  }

  private subject(): TokenSubject {
    const scoped = scopedNomadToken();
    if (!scoped) return { name: 'NOMAD_TOKEN', set: !!this.config.token, fix: 'set a valid NOMAD_TOKEN', token: this.config.token };
    const fix = /X-Nomad-Token/.test(scoped.label) ? 'send a valid X-Nomad-Token' : 'give the identity a valid token (its nomad_token_env or nomad_token_file)';
    return { name: scoped.label, set: true, fix, token: scoped.secret };
  }

  /** Resolves to true when later checks could only fail the same way (the token is refused). */
  private async checkToken(report: ConnectionReport, who: TokenSubject): Promise<boolean> {
    const { address } = report;
    let self: AclTokenSelf;
    try {
      self = (await this.status.tokenSelf()).body;
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 400 && /ACL support disabled/i.test(err.nomadMessage)) {
        report.acl_enabled = false;
        if (who.set) report.findings.push(info(`Nomad at ${address} has ACLs disabled: ${who.name} is not needed and is ignored; every call is allowed.`));
        return false;
      }
      const notAnAclToken = err instanceof NomadApiError && err.status === 404 && /token not found/i.test(err.nomadMessage);
      // a workload identity (the service running as a Nomad task) is verified by Nomad, but is no ACL token
      if (notAnAclToken && who.token && isWorkloadIdentity(who.token)) {
        report.acl_enabled = true;
        report.findings.push(info(describeWorkloadIdentity(who.name, who.token)));
        return false;
      }
      const denied = err instanceof NomadApiError && (err.status === 403 || notAnAclToken);
      if (denied) report.acl_enabled = true;
      if (denied && !who.set) {
        report.findings.push(warn(`Nomad at ${address} has ACLs enabled and ${who.name} is not set: calls run with Nomad's anonymous policy, which usually may do little; set ${who.name}.`));
        return true;
      }
      if (denied) {
        report.findings.push(warn(`Nomad at ${address} refused ${who.name} (403 Permission denied): the token is unknown, expired or malformed; ${who.fix}.`));
        return true;
      }
      report.findings.push(warn(`Could not check ${who.name}: ${describeNomadProblem(err, address).message}`));
      return false;
    }
    report.acl_enabled = true;
    const expires = self.ExpirationTime && !self.ExpirationTime.startsWith('0001-') ? self.ExpirationTime : null;
    report.token = { accessor_id: self.AccessorID, name: self.Name ?? '', type: self.Type, policies: self.Policies ?? [], expires_at: expires };
    report.findings.push(info(describeToken(who.name, report.token)));
    return false;
  }

  private async checkNamespace(report: ConnectionReport, who: TokenSubject): Promise<void> {
    const ns = report.namespace;
    const isDefault = ns === this.config.defaultNamespace;
    try {
      await this.namespaces.get(ns);
      report.namespace_exists = true;
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 404) {
        report.namespace_exists = false;
        report.findings.push(warn(isDefault
          ? `Default namespace '${ns}' does not exist in Nomad; set DEFAULT_NAMESPACE or pass namespace on each call.`
          : `Namespace '${ns}' does not exist in Nomad; pass one that does (list_namespaces shows them).`));
      } else if (err instanceof NomadApiError && err.status === 403) {
        report.findings.push(warn(isDefault
          ? `${who.name} may not use the default namespace '${ns}' (403 Permission denied): grant its policy a capability there, or set DEFAULT_NAMESPACE to a namespace it may use.`
          : `${who.name} may not use namespace '${ns}' (403 Permission denied): grant its policy a capability there.`));
      } else {
        report.findings.push(warn(`Could not check the ${isDefault ? 'default ' : ''}namespace '${ns}': ${describeNomadProblem(err, report.address).message}`));
      }
    }
  }

  /** Region and version from the agent (agent:read); without it, the region from /v1/regions (which needs no token). */
  private async describeCluster(report: ConnectionReport): Promise<ConnectionFinding[]> {
    try {
      const self = await this.status.agentSelf();
      report.region = self.config.Region ?? self.member.Tags?.region ?? null;
      report.version = self.config.Version?.Version ?? self.member.Tags?.build ?? null;
      return [];
    } catch (err) {
      const regions = await this.status.regions().catch(() => []);
      report.region = regions.length === 1 ? regions[0] : (this.config.region ?? null);
      return err instanceof NomadApiError && err.status === 403
        ? [info('The Nomad version is unknown: the token may not read the agent (agent:read); operating jobs does not need it.')]
        : [];
    }
  }
}

/** "NOMAD_TOKEN 'ci' is a client token with policies dev-write; …" — what Nomad will let the calls do. */
function describeToken(subject: string, t: TokenIdentity): string {
  const name = t.name ? ` '${t.name}'` : '';
  const expires = t.expires_at ? `; it expires at ${t.expires_at}` : '';
  if (t.type === 'management') {
    return `${subject}${name} is a management token: it may do everything in Nomad (a client token limited to the namespaces to operate is safer)${expires}.`;
  }
  const policies = t.policies.length ? t.policies.join(', ') : 'none';
  return `${subject}${name} is a ${t.type} token with policies ${policies}: Nomad allows what they grant and answers 403 otherwise${expires}.`;
}

/** A workload identity Nomad verified: its rights are the policies attached to its job. */
function describeWorkloadIdentity(subject: string, token: string): string {
  const { namespace, job } = workloadIdentityClaims(token);
  const where = job ? ` of job '${job}'${namespace ? ` in namespace '${namespace}'` : ''}` : '';
  return (
    `${subject} is the workload identity${where} (a Nomad task's identity block): Nomad allows what the ACL policies ` +
    `attached to that job grant (nomad acl policy apply -namespace ${namespace ?? '<namespace>'} -job ${job ?? '<job>'} …) and answers 403 otherwise.`
  );
}
