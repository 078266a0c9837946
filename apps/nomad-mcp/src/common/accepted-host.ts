import { isLoopbackHost } from '@nomad-mcp/auth';
import { hostname, networkInterfaces } from 'node:os';
import type { AppConfig } from '../config/env.schema';

/** What decides which Host names the service answers to as itself. */
export interface HostPolicy {
  /** API keys are configured (the service may listen beyond loopback). */
  keysEnabled: boolean;
  /** PUBLIC_URL: the name clients use behind a proxy or DNS name. */
  publicUrl?: string;
  /** HOST: the address the service listens on (`0.0.0.0`/`::` or unset = every interface). */
  listenHost?: string;
}

export function hostPolicyOf(config: Pick<AppConfig, 'publicUrl' | 'host'>, keysEnabled: boolean): HostPolicy {
  return { keysEnabled, publicUrl: config.publicUrl, listenHost: config.host };
}

const HOST_HEADER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** `name` of `name:port` / `[v6]:port`, lower-case, brackets kept off. */
function hostName(host: string): string {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name.toLowerCase();
}

const bare = (name: string) => name.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * Whether a request's Host header names this service, so that it may be trusted to build URLs
 * (`/api/claude/tool-config` without PUBLIC_URL) and to recognise the service's own browser origin.
 * Without keys only loopback names (anything else is DNS rebinding); with keys also PUBLIC_URL's host, the
 * HOST the service listens on, or, listening on every interface, this machine's host name and addresses.
 * Ports are not compared: proxies and port mappings change them.
 */
export function acceptedHost(req: { headers: { host?: string } }, policy: HostPolicy): boolean {
  const host = req.headers.host;
  if (!host || !HOST_HEADER.test(host)) return false;
  if (isLoopbackHost(host)) return true;
  if (!policy.keysEnabled) return false;
  const name = hostName(host);
  if (policy.publicUrl && bare(new URL(policy.publicUrl).hostname) === name) return true;
  if (policy.listenHost && !WILDCARD.has(policy.listenHost)) return bare(policy.listenHost) === name;
  if (name === hostname().toLowerCase()) return true;
  return Object.values(networkInterfaces()).some((addrs) => (addrs ?? []).some((a) => a.address.toLowerCase() === name));
}
