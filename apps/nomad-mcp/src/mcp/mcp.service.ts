import { Inject, Injectable } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { LOCAL_PRINCIPAL, Principal } from '@nomad-mcp/auth';
import { AppConfig, APP_CONFIG } from '../config/env.schema';
import { OperationFailure, OperationExecutor } from '../operations/core/operation.executor';
import { OperationRegistry } from '../operations/core/operation.registry';
import type { ProgressUpdate } from '../operations/core/operation';
import { ApiDocument } from './api-document';
import { callerOf, joinNextStep, mcpError, traceparentOf } from './mcp-call';
import { McpCompletions } from './mcp-completions';
import { getPrompt, listPrompts, promptArguments } from './mcp-prompts';
import { McpResources } from './mcp-resources';
import { JsonRpcError, mcpSdk } from './mcp-sdk';
import { VERSION } from '../version';

export const SERVER_INFO = { name: 'nomad-mcp', version: VERSION };

/**
 * What a model reads once on connecting: how the tools fit together, and that the safety checks hold. Short: the
 * tools' own descriptions say the rest.
 */
export const INSTRUCTIONS = [
  'Tools to operate HashiCorp Nomad. To answer "what is wrong?", start with find_problems: it lists the failures, most urgent first,',
  'each with the one tool to call for the details. Find: list_namespaces, then list_jobs for job IDs (namespace defaults to the service default when omitted).',
  'Diagnose: get_job_status first (health, problems, placement failures), then get_job_logs; list_allocations finds allocation IDs for get_allocation,',
  'get_evaluation says why something cannot be placed, get_deployment and list_job_versions what a rollout or a version changed; list_nodes and get_node the cluster,',
  'check_connection whether the service reaches Nomad and with which token.',
  'Change: each change tool acts on one job, allocation, deployment or node; follow a change with wait_for_deployment or get_job_status, and verify before reporting success.',
  'Safety: a change that interrupts service (stop, restart, purge, replacing allocations, a drain) first answers a plan and a confirm_token: show the plan to the user',
  'and call again with the token only if they agree; even without that, ask before such a change. Refusals (a scope, a namespace, read-only mode) and confirmations',
  'are the operator\'s policy: never work around them with other tools, other arguments or retries; tell the user.',
  'Where a person approves changes, a change answers an approval id and a page instead of a token: tell the user where, call wait_for_approval, and apply with',
  'confirm_token set to the approval id only once it is approved; never try to approve a change yourself.',
  'The prompts diagnose-failing-job, roll-out-new-image and drain-node-safely are step-by-step procedures; the resources nomad://jobs/{namespace} and',
  'nomad://job/{namespace}/{job_id} (also /logs) are the same reads, to attach.',
].join(' ');

/** What a tool call may report to, and be cancelled by (MCP progress notifications and cancellation). */
export interface LiveCall {
  progress?: (update: ProgressUpdate) => void;
  signal?: AbortSignal;
  /** The caller's W3C trace context (traceparentOf). */
  traceparent?: string;
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
  /**
   * The JSON Schema validator of every server (it checks elicitation answers, which this server never asks for):
   * one for all, as the SDK would otherwise build a new Ajv, with its formats, for each stateless HTTP request.
   */
  private validator?: jsonSchemaValidator;

  constructor(
    private readonly registry: OperationRegistry,
    private readonly executor: OperationExecutor,
    private readonly api: ApiDocument,
    private readonly resources: McpResources,
    private readonly completions: McpCompletions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
      return errorResult(joinNextStep(message, typeof next_step === 'string' ? next_step : undefined));
    }
  }

  /**
   * A fresh MCP server (one per Streamable HTTP request, one for stdio): the operations as tools, the job reads as
   * resources, the procedures as prompts, and completions for their arguments. Everything that reads Nomad runs
   * through the executor as the request's caller.
   */
  createServer(): Server {
    const {
      Server, AjvJsonSchemaValidator, CallToolRequestSchema, CompleteRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListResourcesRequestSchema,
      ListResourceTemplatesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema,
    } = mcpSdk();
    const server = new Server(SERVER_INFO, {
      capabilities: { tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false }, completions: {} },
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: (this.validator ??= new AjvJsonSchemaValidator()),
    });
    server.setRequestHandler(ListToolsRequestSchema, async (_req, extra) => ({ tools: this.listTools(callerOf(extra)) }));
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      const token = req.params._meta?.progressToken;
      let seq = 0;
      // progress must grow with every notification: the count of reports; the numbers that matter are in the message
      const progress = token === undefined ? undefined : (u: ProgressUpdate) => {
        void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++seq, message: u.message } }).catch(() => undefined);
      };
      return this.callTool(req.params.name, req.params.arguments, callerOf(extra), { progress, signal: extra.signal, traceparent: traceparentOf(req.params, extra) });
    });
    server.setRequestHandler(ListResourcesRequestSchema, async (_req, extra) => ({ resources: await this.resources.list(callerOf(extra)) }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_req, extra) => ({ resourceTemplates: this.resources.templates(callerOf(extra)) }));
    server.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => this.resources.read(req.params.uri, callerOf(extra), traceparentOf(req.params, extra)));
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: listPrompts() }));
    server.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
      const tools = new Set(this.listTools(callerOf(extra)).map((t) => t.name));
      return getPrompt(req.params.name, req.params.arguments, { tools, defaultNamespace: this.config.defaultNamespace });
    });
    server.setRequestHandler(CompleteRequestSchema, async (req, extra) => {
      const { ref, argument } = req.params;
      const known = ref.type === 'ref/prompt' ? promptArguments(ref.name) : this.resources.variablesOf(ref.uri);
      if (!known) {
        const what = ref.type === 'ref/prompt' ? `prompt '${ref.name}'` : `resource template '${ref.uri}'`;
        throw mcpError(JsonRpcError.InvalidParams, `No ${what}: complete the arguments of the prompts (prompts/list) or resource templates (resources/templates/list).`);
      }
      if (!known.includes(argument.name)) {
        throw mcpError(JsonRpcError.InvalidParams, `'${argument.name}' is not an argument of ${ref.type === 'ref/prompt' ? ref.name : ref.uri}; its arguments are ${known.join(', ')}.`);
      }
      return this.completions.complete(req.params, callerOf(extra));
    });
    return server;
  }
}

/** Tool errors carry text only: structuredContent must match the tool's outputSchema, which describes success. */
function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
