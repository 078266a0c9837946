import { Injectable } from '@nestjs/common';
import type { ReadResourceResult, Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcError } from './mcp-sdk';
import type { Principal } from '@nomad-mcp/auth';
import { OperationExecutor, OperationFailure } from '../operations/core/operation.executor';
import { OperationRegistry } from '../operations/core/operation.registry';
import { failureAsMcpError, mcpError, RESOURCE_NOT_FOUND, runAs } from './mcp-call';

/** One kind of resource: a URI template whose variables are the input of the read operation that serves it. */
interface ResourceKind {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  /** Run through the executor with the template's variables as input; its text and JSON are the contents. */
  operation: string;
}

const BOTH = 'Contents: the text the tool of the same name answers (text/plain), then its JSON (application/json).';

/**
 * The resources. `/spec` is offered only when the service has get_job_spec (a read of the job's spec that hides
 * secret values); every other kind is always there.
 */
export const RESOURCE_KINDS: readonly ResourceKind[] = [
  {
    uriTemplate: 'nomad://jobs/{namespace}', name: 'job-list', title: 'Jobs of a namespace', operation: 'list_jobs',
    description: `The jobs of a namespace with their status, type and allocation counts (as list_jobs). ${BOTH}`,
  },
  {
    uriTemplate: 'nomad://job/{namespace}/{job_id}', name: 'job-status', title: 'Job status', operation: 'get_job_status',
    description: `One job's health: status, version, allocations by state, latest deployment and why anything fails (as get_job_status). ${BOTH}`,
  },
  {
    uriTemplate: 'nomad://job/{namespace}/{job_id}/spec', name: 'job-spec', title: 'Job spec', operation: 'get_job_spec',
    description: `One job's registered spec, compacted, secret values hidden (as get_job_spec). ${BOTH}`,
  },
  {
    uriTemplate: 'nomad://job/{namespace}/{job_id}/logs', name: 'job-logs', title: 'Job logs', operation: 'get_job_logs',
    description: `The last stdout and stderr lines of the job's latest allocation, as get_job_logs answers with its defaults (at most 100, within 4 KB). ${BOTH}`,
  },
];

/** resources/list names at most this many namespaces' job lists (it stays small; templates reach the rest). */
export const MAX_LISTED_NAMESPACES = 50;

/** A template as a regular expression: each `{variable}` one path segment (percent-encoded, as RFC 6570 expands it). */
function matcher(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.split(/(\{[a-z_]+\})/).map((part) => {
    const v = /^\{([a-z_]+)\}$/.exec(part);
    if (!v) return part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    names.push(v[1]);
    return '([^/]+)';
  }).join('');
  return { pattern: new RegExp(`^${source}$`), names };
}

const MATCHERS = new Map(RESOURCE_KINDS.map((k) => [k, matcher(k.uriTemplate)]));

/** MCP resources whose reads are read operations, run through the executor as the caller. */
@Injectable()
export class McpResources {
  constructor(
    private readonly registry: OperationRegistry,
    private readonly executor: OperationExecutor,
  ) {}

  /** The kinds this service serves (its operations) and this caller may read (its scopes, as for tools/list). */
  kinds(principal: Principal): ResourceKind[] {
    return RESOURCE_KINDS.filter((k) => this.mayRun(principal, k.operation));
  }

  templates(principal: Principal): ResourceTemplate[] {
    return this.kinds(principal).map(({ uriTemplate, name, title, description }) => ({ uriTemplate, name, title, description, mimeType: 'text/plain' }));
  }

  /** The variables of one of the served templates (completion/complete checks them); undefined for another URI. */
  variablesOf(uriTemplate: string): string[] | undefined {
    const kind = RESOURCE_KINDS.find((k) => k.uriTemplate === uriTemplate && this.registry.find(k.operation));
    return kind && MATCHERS.get(kind)!.names;
  }

  /**
   * One job list per namespace the caller may use (list_namespaces, run as the caller): small whatever the
   * cluster runs, and each job is one template away.
   */
  async list(principal: Principal): Promise<Resource[]> {
    if (!this.mayRun(principal, 'list_namespaces') || !this.mayRun(principal, 'list_jobs')) return [];
    let namespaces: Array<{ name: string }>;
    try {
      namespaces = (await runAs<{ namespaces: Array<{ name: string }> }>(this.executor, principal, 'list_namespaces', {})).result.namespaces;
    } catch (err) {
      throw err instanceof OperationFailure ? failureAsMcpError(err) : err;
    }
    return namespaces.slice(0, MAX_LISTED_NAMESPACES).map(({ name }) => ({
      uri: `nomad://jobs/${encodeURIComponent(name)}`, name: `jobs-${name}`, title: `Jobs in ${name}`,
      description: `The jobs of namespace '${name}' with their status and allocation counts.`, mimeType: 'text/plain',
    }));
  }

  /** Reads a resource: its operation's text rendering and its JSON, or the operation's failure as the error. */
  async read(uri: string, principal: Principal, traceparent?: string): Promise<ReadResourceResult> {
    const { kind, input } = this.resolve(uri, principal);
    try {
      const done = await runAs(this.executor, principal, kind.operation, input, traceparent);
      return {
        contents: [
          { uri, mimeType: 'text/plain', text: forResource(done.text, kind.operation) },
          { uri, mimeType: 'application/json', text: JSON.stringify(done.result) },
        ],
      };
    } catch (err) {
      throw err instanceof OperationFailure ? failureAsMcpError(err) : err;
    }
  }

  private resolve(uri: string, principal: Principal): { kind: ResourceKind; input: Record<string, string> } {
    for (const kind of this.kinds(principal)) {
      const { pattern, names } = MATCHERS.get(kind)!;
      const m = pattern.exec(uri);
      if (!m) continue;
      const input: Record<string, string> = {};
      names.forEach((name, i) => {
        try {
          input[name] = decodeURIComponent(m[i + 1]);
        } catch {
          throw mcpError(JsonRpcError.InvalidParams, `The ${name} in '${uri}' is not valid percent-encoding: encode it as RFC 6570 templates do (encodeURIComponent).`);
        }
      });
      return { kind, input };
    }
    const offered = this.kinds(principal).map((k) => k.uriTemplate);
    throw mcpError(RESOURCE_NOT_FOUND, offered.length
      ? `No resource '${uri}'. The resources are ${offered.join(', ')} (resources/templates/list describes them; a job_id with '/' is written %2F).`
      : `No resource '${uri}': this identity may read no resources (they need the scope 'read').`, { uri });
  }

  private mayRun(principal: Principal, operation: string): boolean {
    const op = this.registry.find(operation);
    return !!op && this.executor.access.mayList(principal, op.def);
  }
}

/**
 * A tool's text read as a resource: a resource URI takes no next_token, so "call again with next_token=…" is
 * said as the call that gets the rest (the tool of the same name, with that token).
 */
function forResource(text: string, operation: string): string {
  return text.replace(/call again with next_token="([^"]*)"/g, `call the ${operation} tool with next_token="$1"`);
}
