import { Injectable } from '@nestjs/common';
import { nomadPath } from '../nomad-path';
import { AclTokenSelf, AgentSelf } from '../nomad-resources.types';
import { NomadResult } from '../transport/nomad.transport';
import { NomadReadOptions, NomadResource } from './nomad-resource';

/** The cluster and the agent the service talks to: leader, peers, regions, agent self, its own token. */
@Injectable()
export class NomadStatusApi extends NomadResource {
  /** The leader's RPC address ("" when there is none); needs no ACL, so it is the liveness probe. */
  async leader(opts: NomadReadOptions = {}): Promise<string> {
    const path = nomadPath`status/leader`;
    const { body } = await this.transport.json<unknown>('GET', path, opts);
    if (typeof body !== 'string') throw this.badShape('GET', path, { what: "a string (the leader's address)" });
    return body;
  }

  async peers(opts: NomadReadOptions = {}): Promise<string[]> {
    const path = nomadPath`status/peers`;
    const { body } = await this.transport.json<unknown>('GET', path, opts);
    if (!Array.isArray(body) || !body.every((p) => typeof p === 'string')) throw this.badShape('GET', path, { what: 'a list of addresses' });
    return body;
  }

  async regions(opts: NomadReadOptions = {}): Promise<string[]> {
    const path = nomadPath`regions`;
    const { body } = await this.transport.json<unknown>('GET', path, opts);
    if (!Array.isArray(body) || !body.every((p) => typeof p === 'string')) throw this.badShape('GET', path, { what: 'a list of region names' });
    return body;
  }

  /** The agent's configuration and membership (version, region, ACLs enabled); needs agent:read. */
  async agentSelf(opts: NomadReadOptions = {}): Promise<AgentSelf> {
    const path = nomadPath`agent/self`;
    const res = await this.getObject<AgentSelf>(path, { what: 'an object with config and member' }, opts);
    if (typeof res.body.config !== 'object' || res.body.config === null || typeof res.body.member !== 'object' || res.body.member === null) {
      throw this.badShape('GET', path, { what: 'an object with config and member' });
    }
    return res.body;
  }

  /**
   * The service's own token: its type and policies, to tell at start-up what it may do. Nomad answers 403
   * for an unknown token, 400 when ACLs are disabled. SecretID is removed from the answer.
   */
  async tokenSelf(opts: NomadReadOptions = {}): Promise<NomadResult<AclTokenSelf>> {
    const res = await this.getObject<AclTokenSelf>(nomadPath`acl/token/self`, { what: 'an ACL token', id: 'AccessorID' }, opts);
    // the secret is the service's own NOMAD_TOKEN: nothing downstream needs it, so it never leaves here
    const body: Record<string, unknown> = { ...res.body };
    delete body.SecretID;
    return { ...res, body: body as AclTokenSelf };
  }
}
