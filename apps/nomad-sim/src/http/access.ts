import type { AclStore } from '../acl';
import { NomadHttpError } from '../wire';
import type { RequestContext } from './context';

/** The ACL checks route handlers make (BEHAVIOUR.md §3); every denial is 403 with exactly "Permission denied". */

export function deny(): never {
  throw new NomadHttpError(403, 'Permission denied');
}

/** The token needs one of `caps` in namespace `ns`. */
export function need(acl: AclStore, ctx: RequestContext, ns: string, ...caps: string[]): void {
  if (!acl.allowNamespace(ctx.token, ns, caps)) deny();
}

/** node:read / agent:read (write = the write policy). */
export function needScope(acl: AclStore, ctx: RequestContext, scope: 'node' | 'agent', write = false): void {
  if (!acl.allowScope(ctx.token, scope, write)) deny();
}

/** Namespace and ACL administration: a management token when ACLs are on. */
export function needManagementIfEnabled(acl: AclStore, ctx: RequestContext): void {
  if (acl.enabled && ctx.token?.Type !== 'management') deny();
}

/** The ACL endpoints themselves: 400 while ACLs are off, then a management token. */
export function needManagement(acl: AclStore, ctx: RequestContext): void {
  if (!acl.enabled) throw new NomadHttpError(400, 'ACL support disabled');
  if (ctx.token?.Type !== 'management') deny();
}
