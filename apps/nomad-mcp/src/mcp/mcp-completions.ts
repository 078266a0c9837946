import { Injectable } from '@nestjs/common';
import type { CompleteRequest, CompleteResult } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@nomad-mcp/auth';
import { OperationExecutor, OperationFailure } from '../operations/core/operation.executor';
import { runAs } from './mcp-call';

/** At most this many values per completion (MCP allows 100; a person picks from the first few). */
export const MAX_COMPLETIONS = 20;
/** How many nodes a node_id completion looks at (list_nodes' largest page, by ID). */
const NODES_LOOKED_AT = 100;

type Completion = CompleteResult['completion'];
const NONE: Completion = { values: [], total: 0, hasMore: false };

/**
 * `completion/complete` for the arguments of the resource templates and the prompts: namespaces the caller may
 * use, job IDs by prefix (Nomad's prefix list, in the namespace already chosen), node IDs. Each is a read
 * operation run through the executor as the caller, so a completion never shows what its tool would not.
 * An argument without completions (an image), or a read that fails (no scope, a namespace the caller may not
 * use, Nomad down), completes to nothing: a completion is a hint, and the read itself says what is wrong.
 */
@Injectable()
export class McpCompletions {
  constructor(private readonly executor: OperationExecutor) {}

  async complete(params: CompleteRequest['params'], principal: Principal): Promise<CompleteResult> {
    const { name, value } = params.argument;
    const context = params.context?.arguments ?? {};
    try {
      return { completion: await this.values(name, value, context, principal) };
    } catch (err) {
      if (err instanceof OperationFailure) return { completion: NONE };
      throw err;
    }
  }

  private async values(argument: string, value: string, context: Record<string, string>, principal: Principal): Promise<Completion> {
    switch (argument) {
      case 'namespace': {
        const r = await runAs<{ namespaces: Array<{ name: string }> }>(this.executor, principal, 'list_namespaces', value ? { prefix: value } : {});
        return bounded(r.result.namespaces.map((n) => n.name));
      }
      case 'job_id': {
        // the namespace the user already gave (a template's earlier variable, a prompt's argument), else the default
        // the largest page: enough to say how many match, beyond the 20 values a completion holds
        const input = { ...(value ? { prefix: value } : {}), ...(context.namespace ? { namespace: context.namespace } : {}), limit: 100 };
        const r = await runAs<{ jobs: Array<{ id: string }>; next_token: string | null }>(this.executor, principal, 'list_jobs', input);
        const c = bounded(r.result.jobs.map((j) => j.id));
        return r.result.next_token ? { values: c.values, hasMore: true } : c;
      }
      case 'node_id': {
        const r = await runAs<{ nodes: Array<{ id: string }> }>(this.executor, principal, 'list_nodes', { limit: NODES_LOOKED_AT });
        const typed = value.toLowerCase();
        return bounded(r.result.nodes.map((n) => n.id).filter((id) => id.startsWith(typed)));
      }
      default:
        return NONE;
    }
  }
}

function bounded(all: string[]): Completion {
  return { values: all.slice(0, MAX_COMPLETIONS), total: all.length, hasMore: all.length > MAX_COMPLETIONS };
}
