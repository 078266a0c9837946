import { Injectable } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, CallToolResult, ListToolsRequestSchema, Tool } from '@modelcontextprotocol/sdk/types.js';
import { LOCAL_PRINCIPAL, Principal } from '@nomad-mcp/auth';
import { OperationFailure, OperationExecutor } from '../operations/core/operation.executor';
import { OperationRegistry } from '../operations/core/operation.registry';
import type { ProgressUpdate } from '../operations/core/operation';
import { ApiDocument } from './api-document';
import { VERSION } from '../version';

export const SERVER_INFO = { name: 'nomad-mcp', version: VERSION };

const INSTRUCTIONS =
  'Tools to operate HashiCorp Nomad jobs. Start with list_jobs to find job IDs, use get_job_status to diagnose, ' +
  'get_job_logs to read output; get_allocation and get_evaluation say why an allocation fails or cannot be placed ' +
  '(list_allocations finds their IDs), get_deployment how a rollout goes, list_nodes and list_namespaces what the cluster has. ' +
  'restart_allocation, stop_allocation and signal_allocation act on one allocation; promote_deployment, fail_deployment, ' +
  'pause_deployment and resume_deployment on a rollout (get_job_status names the latest). ' +
  'stop_job, restart_job, the allocation actions and fail_deployment interrupt service: confirm with the user first. ' +
  'Namespace defaults to the service default when omitted.';

/** What a tool call may report to, and be cancelled by (MCP progress notifications and cancellation). */
export interface LiveCall {
  progress?: (update: ProgressUpdate) => void;
  signal?: AbortSignal;
}

/** Carries the caller into tool calls: the HTTP transport puts it in the SDK's request auth info. */
export interface McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  extra: { principal: Principal };
}

export function authInfoFor(principal: Principal): McpAuthInfo {
  return { token: '', clientId: principal.name, scopes: [...(principal.permissions ?? ['*'])], extra: { principal } };
}

/** MCP servers whose tools are the registered operations, each call run by the operation executor. */
@Injectable()
export class McpService {
  private tools?: Tool[];

  constructor(
    private readonly registry: OperationRegistry,
    private readonly executor: OperationExecutor,
    private readonly api: ApiDocument,
  ) {}

  /**
   * The tools as MCP lists them, in the registry's fixed order — only those this caller may call (its scopes,
   * read-only mode). Built once: every stateless HTTP request asks again.
   */
  listTools(principal: Principal = LOCAL_PRINCIPAL): Tool[] {
    const defs = this.registry.all().map((o) => o.def);
    return this.allTools().filter((_, i) => this.executor.access.mayList(principal, defs[i]));
  }

  private allTools(): Tool[] {
    return (this.tools ??= this.registry.all().map(({ def }) => ({
      name: def.name,
      title: def.title,
      description: def.description,
      inputSchema: this.api.schemaOf(def.input.name) as Tool['inputSchema'],
      outputSchema: this.api.schemaOf(def.output.name, { closed: false }) as Tool['outputSchema'],
      annotations: {
        title: def.title, readOnlyHint: def.annotations.readOnly, destructiveHint: def.annotations.destructive,
        idempotentHint: def.annotations.idempotent, openWorldHint: false,
      },
    })));
  }

  /** The same tools in the Anthropic Messages API `tools` format (also only those the caller may call). */
  claudeTools(principal: Principal = LOCAL_PRINCIPAL): Array<{ name: string; description: string; input_schema: Record<string, unknown> }> {
    return this.registry.all()
      .filter(({ def }) => this.executor.access.mayList(principal, def))
      .map(({ def }) => ({ name: def.name, description: def.description, input_schema: this.api.schemaOf(def.input.name) }));
  }

  /** Runs a tool through the executor; failures come back as tool errors whose text says what to do next. */
  async callTool(name: string, args: unknown, principal: Principal = LOCAL_PRINCIPAL, live: LiveCall = {}): Promise<CallToolResult> {
    if (!this.registry.find(name)) {
      return errorResult(`Unknown tool '${name}'. Available tools: ${this.registry.names().join(', ')}.`);
    }
    try {
      const done = await this.executor.execute(name, args ?? {}, { principal, transport: 'mcp', ...live });
      return { content: [{ type: 'text', text: done.text }], structuredContent: done.result as unknown as Record<string, unknown> };
    } catch (err) {
      if (!(err instanceof OperationFailure)) throw err;
      const { message, next_step } = err.body;
      return errorResult(next_step ? `${sentence(message)} ${next_step}` : message);
    }
  }

  /** A fresh MCP server (one per Streamable HTTP request, one for stdio). */
  createServer(): Server {
    const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
    const caller = (extra: { authInfo?: { extra?: Record<string, unknown> } }) => (extra.authInfo?.extra as McpAuthInfo['extra'] | undefined)?.principal ?? LOCAL_PRINCIPAL;
    server.setRequestHandler(ListToolsRequestSchema, async (_req, extra) => ({ tools: this.listTools(caller(extra)) }));
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      const token = req.params._meta?.progressToken;
      let seq = 0;
      // progress must grow with every notification: the count of reports; the numbers that matter are in the message
      const progress = token === undefined ? undefined : (u: ProgressUpdate) => {
        void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++seq, message: u.message } }).catch(() => undefined);
      };
      return this.callTool(req.params.name, req.params.arguments, caller(extra), { progress, signal: extra.signal });
    });
    return server;
  }
}

/** Tool errors carry text only: structuredContent must match the tool's outputSchema, which describes success. */
function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** A message as a sentence, so the next step reads as the next one. */
function sentence(message: string): string {
  return /[.!?]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`;
}
