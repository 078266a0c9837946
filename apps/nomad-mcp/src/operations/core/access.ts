import { ForbiddenException } from '@nestjs/common';
import { globMatches, Principal } from '@nomad-mcp/auth';
import type { AuthConfig } from '../../config/app-config';
import type { OperationDefinition, Permission } from './operation';

const DO_NOT_RETRY = 'Do not retry or work around it: tell the user, and ask an operator if the access is needed.';

/** A refusal by policy (scope, namespace, read-only mode): 403, and the agent is told not to retry. */
export class AccessDenied extends ForbiddenException {
  constructor(message: string) {
    super({ message, next_step: DO_NOT_RETRY });
  }
}

/** Does this principal hold the scope? `*` (or no list at all: full-access keys) holds every one. */
export function holds(principal: Principal, permission: Permission): boolean {
  const held = principal.permissions;
  return !held || held.includes('*') || held.includes(permission);
}

/**
 * What one call may do: the identity's scopes and namespaces, bounded for everyone by NOMAD_MCP_READ_ONLY and
 * NOMAD_MCP_ALLOWED_NAMESPACES. Checked by the executor (scopes, mode) and by the call's context (namespaces),
 * so every transport gets the same answer.
 */
export class AccessPolicy {
  constructor(private readonly auth: Pick<AuthConfig, 'readOnly' | 'allowedNamespaces'>) {}

  /** Whether the principal may see every namespace (no globs bound it, or a `*` among them). */
  seesEveryNamespace(principal: Principal): boolean {
    const open = (globs?: readonly string[]) => !globs || globs.includes('*');
    return open(principal.namespaces) && open(this.auth.allowedNamespaces);
  }

  /** Throws AccessDenied unless the principal may call the operation with this permission. */
  authorize(principal: Principal, def: OperationDefinition, permission: Permission): void {
    if (this.auth.readOnly && !def.annotations.readOnly) {
      throw new AccessDenied(`The service is read-only (NOMAD_MCP_READ_ONLY=true): ${def.name} changes Nomad and is refused for everyone.`);
    }
    if (!holds(principal, permission)) {
      throw new AccessDenied(`'${principal.name}' may not call ${def.name}: it needs the scope '${permission}'.`);
    }
  }

  /** Whether the operation shows in this principal's tool list (its least permission; read-only mode). */
  mayList(principal: Principal, def: OperationDefinition): boolean {
    try {
      const least = typeof def.permission === 'function' ? def.permission({}) : def.permission;
      this.authorize(principal, def, least);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the principal may see and use a namespace (both its own globs and the service-wide bound). */
  visible(principal: Principal, namespace: string): boolean {
    const within = (globs?: readonly string[]) => !globs || globs.some((g) => globMatches(g, namespace));
    return within(principal.namespaces) && within(this.auth.allowedNamespaces);
  }

  /** Throws AccessDenied unless the principal may use the namespace; `*` is allowed (lists are filtered). */
  requireNamespace(principal: Principal, namespace: string): void {
    if (namespace === '*' || this.visible(principal, namespace)) return;
    const bound = [...(principal.namespaces ?? []), ...(this.auth.allowedNamespaces ?? [])];
    throw new AccessDenied(`'${principal.name}' may not use namespace '${namespace}' (allowed: ${[...new Set(bound)].join(', ')}).`);
  }
}
