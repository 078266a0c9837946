import { INestApplicationContext, Inject, Injectable, Logger } from '@nestjs/common';
import { AclTokenSelf, isWorkloadIdentity, NomadApiError, NomadNamespacesApi, NomadService, NomadStatusApi, workloadIdentityClaims } from '@nomad-mcp/nomad';
import { NOMAD_CONFIG, NomadConfig, redactUrl } from '../config';
import { describeNomadProblem, leaderProblem } from './nomad-problem';

/** One line for the start-up log: `warn` for a problem, `log` for what was found. */
export interface StartupFinding {
  level: 'log' | 'warn';
  message: string;
}

const warn = (message: string): StartupFinding => ({ level: 'warn', message });
const info = (message: string): StartupFinding => ({ level: 'log', message });

/** What the token check found; `stop` when later checks could only fail the same way. */
type TokenVerdict = { findings: StartupFinding[]; stop: boolean };

/**
 * Checks at start-up what a user would otherwise find out at the first call: is Nomad there and is it
 * Nomad, is the token accepted and what may it do, does the default namespace exist. Each problem is ONE
 * line that says what to do; nothing here stops the service, since Nomad may come up later. `nomad-mcp check`
 * runs the same checks and exits 1 on a warning.
 */
@Injectable()
export class NomadStartupCheck {
  constructor(
    private readonly nomad: NomadService,
    private readonly status: NomadStatusApi,
    private readonly namespaces: NomadNamespacesApi,
    @Inject(NOMAD_CONFIG) private readonly config: NomadConfig,
  ) {}

  /** The findings at start-up: an unreachable Nomad is no reason to stop, and the line says so. */
  run(): Promise<StartupFinding[]> {
    return this.findings(' Starting anyway: calls will work once Nomad answers.');
  }

  /** The findings; `unreachableNote` ends the line of an unreachable Nomad (`nomad-mcp check` adds none). */
  async findings(unreachableNote = ''): Promise<StartupFinding[]> {
    const address = redactUrl(this.nomad.address);
    let leader: unknown;
    try {
      leader = await this.nomad.leader();
    } catch (err) {
      return [warn(`${describeNomadProblem(err, address).message}${unreachableNote}`)];
    }
    const notLeader = leaderProblem(leader, address);
    if (notLeader) return [warn(notLeader.message)];

    const token = await this.checkToken(address);
    if (token.stop) return token.findings;
    const namespace = await this.checkNamespace(address);
    const found = [...token.findings, ...namespace];
    if (!found.some((f) => f.level === 'warn')) {
      found.push(info(`Nomad at ${address} is ready: leader ${leader}, default namespace '${this.config.defaultNamespace}' exists.`));
    }
    return found;
  }

  private async checkToken(address: string): Promise<TokenVerdict> {
    const hasToken = !!this.config.token;
    let self: AclTokenSelf;
    try {
      self = (await this.status.tokenSelf()).body;
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 400 && /ACL support disabled/i.test(err.nomadMessage)) {
        const findings = hasToken ? [info(`Nomad at ${address} has ACLs disabled: NOMAD_TOKEN is not needed and is ignored; every call is allowed.`)] : [];
        return { findings, stop: false };
      }
      const notAnAclToken = err instanceof NomadApiError && err.status === 404 && /token not found/i.test(err.nomadMessage);
      if (notAnAclToken && isWorkloadIdentity(this.config.token)) return { findings: [info(describeWorkloadIdentity(this.config.token!))], stop: false };
      const denied = err instanceof NomadApiError && (err.status === 403 || notAnAclToken);
      if (denied && !hasToken) {
        return { findings: [warn(`Nomad at ${address} has ACLs enabled and NOMAD_TOKEN is not set: calls run with Nomad's anonymous policy, which usually may do little; set NOMAD_TOKEN.`)], stop: true };
      }
      if (denied) {
        return { findings: [warn(`Nomad at ${address} refused NOMAD_TOKEN (403 Permission denied): the token is unknown, expired or malformed; set a valid NOMAD_TOKEN.`)], stop: true };
      }
      return { findings: [warn(`Could not check NOMAD_TOKEN: ${describeNomadProblem(err, address).message}`)], stop: false };
    }
    return { findings: [info(describeToken(self))], stop: false };
  }

  private async checkNamespace(address: string): Promise<StartupFinding[]> {
    const ns = this.config.defaultNamespace;
    try {
      await this.namespaces.get(ns);
      return [];
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 404) {
        return [warn(`Default namespace '${ns}' does not exist in Nomad; set DEFAULT_NAMESPACE or pass namespace on each call.`)];
      }
      if (err instanceof NomadApiError && err.status === 403) {
        return [warn(`NOMAD_TOKEN may not use the default namespace '${ns}' (403 Permission denied): grant its policy a capability there, or set DEFAULT_NAMESPACE to a namespace it may use.`)];
      }
      return [warn(`Could not check the default namespace '${ns}': ${describeNomadProblem(err, address).message}`)];
    }
  }
}

/** "NOMAD_TOKEN 'ci' is a client token with policies dev-write; …" — what Nomad will let the service do. */
function describeToken(t: AclTokenSelf): string {
  const name = t.Name ? ` '${t.Name}'` : '';
  const expires = t.ExpirationTime && !t.ExpirationTime.startsWith('0001-') ? `; it expires at ${t.ExpirationTime}` : '';
  if (t.Type === 'management') {
    return `NOMAD_TOKEN${name} is a management token: it may do everything in Nomad (a client token limited to the namespaces to operate is safer)${expires}.`;
  }
  const policies = t.Policies?.length ? t.Policies.join(', ') : 'none';
  return `NOMAD_TOKEN${name} is a ${t.Type} token with policies ${policies}: Nomad allows what they grant and answers 403 otherwise${expires}.`;
}

/** A workload identity Nomad verified: its rights are the policies attached to its job. */
function describeWorkloadIdentity(token: string): string {
  const { namespace, job } = workloadIdentityClaims(token);
  const where = job ? ` of job '${job}'${namespace ? ` in namespace '${namespace}'` : ''}` : '';
  return (
    `NOMAD_TOKEN is the workload identity${where} (a Nomad task's identity block): Nomad allows what the ACL policies ` +
    `attached to that job grant (nomad acl policy apply -namespace ${namespace ?? '<namespace>'} -job ${job ?? '<job>'} …) and answers 403 otherwise.`
  );
}

/**
 * Runs the check in the background and logs each finding as one line; start-up never waits for it.
 * Used by the service (HTTP and stdio) and the demo.
 */
export function reportNomadStartupCheck(app: INestApplicationContext): Promise<void> {
  const logger = new Logger('StartupCheck');
  return app
    .get(NomadStartupCheck)
    .run()
    .then(
      (findings) => findings.forEach((f) => logger[f.level](f.message)),
      (err: Error) => logger.warn(`Start-up check of Nomad failed: ${err.message}`),
    );
}
