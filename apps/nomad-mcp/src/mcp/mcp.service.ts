import { HttpException, Injectable, Logger } from '@nestjs/common';
import { NomadError } from '@nomad-mcp/nomad';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, CallToolResult, ListToolsRequestSchema, Tool } from '@modelcontextprotocol/sdk/types.js';
import { toErrorBody } from '../common/all-exceptions.filter';
import { validateInput } from '../common/validation';
import { JobsService } from '../jobs/jobs.service';
import { JobLogsResult } from '../jobs/dto/job-results.dto';
import { ApiDocument } from './api-document';
import { TOOLS, ToolSpec } from './tool-catalog';
import { VERSION } from '../version';

export const SERVER_INFO = { name: 'nomad-mcp', version: VERSION };

const INSTRUCTIONS =
  'Tools to operate HashiCorp Nomad jobs. Start with list_jobs to find job IDs, use get_job_status to diagnose, ' +
  'get_job_logs to read output. stop_job and restart_job interrupt service: confirm with the user first. ' +
  'Namespace defaults to the service default when omitted.';

/** Builds MCP servers whose tools come from the tool catalog and the OpenAPI schemas. */
@Injectable()
export class McpService {
  private readonly logger = new Logger('MCP');
  private tools?: Tool[];

  constructor(
    private readonly jobs: JobsService,
    private readonly api: ApiDocument,
  ) {}

  /** The tools as MCP lists them (built once: every stateless HTTP request asks again). */
  listTools(): Tool[] {
    return (this.tools ??= TOOLS.map((t) => ({
      name: t.name,
      title: t.annotations.title,
      description: t.description,
      inputSchema: this.api.schemaOf(t.input.name) as Tool['inputSchema'],
      outputSchema: this.api.schemaOf(t.output.name, { closed: false }) as Tool['outputSchema'],
      annotations: t.annotations,
    })));
  }

  /** The same tools in the Anthropic Messages API `tools` format. */
  claudeTools(): Array<{ name: string; description: string; input_schema: Record<string, unknown> }> {
    return TOOLS.map((t) => ({ name: t.name, description: t.description, input_schema: this.api.schemaOf(t.input.name) }));
  }

  /** Runs a tool; failures come back as tool errors whose text says what to do next. */
  async callTool(name: string, args: unknown): Promise<CallToolResult> {
    const tool = TOOLS.find((t) => t.name === name);
    if (!tool) {
      return errorResult(`Unknown tool '${name}'. Available tools: ${TOOLS.map((t) => t.name).join(', ')}.`);
    }
    try {
      const input = await validateInput(tool.input, args ?? {});
      const result = await tool.run(this.jobs, input);
      return { content: [{ type: 'text', text: renderText(tool, result) }], structuredContent: result as Record<string, unknown> };
    } catch (err) {
      const body = toErrorBody(err);
      if (err instanceof NomadError) this.logger.warn(`${name}: ${body.message}`);
      else if (!(err instanceof HttpException)) this.logger.error(`${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return errorResult(`${body.message}${nextStep(tool, body.statusCode, args)}`);
    }
  }

  /** A fresh MCP server (one per Streamable HTTP request, one for stdio). */
  createServer(): Server {
    const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: this.listTools() }));
    server.setRequestHandler(CallToolRequestSchema, async (req) => this.callTool(req.params.name, req.params.arguments));
    return server;
  }
}

/** Tool errors carry text only: structuredContent must match the tool's outputSchema, which describes success. */
function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function nextStep(tool: ToolSpec, status: number, args: unknown): string {
  const ns = (args as { namespace?: string } | undefined)?.namespace;
  switch (status) {
    case 400: return ' Fix those arguments and call the tool again.';
    case 401: case 403: return ' The service refused the request; an operator must check its API key configuration.';
    case 404: return tool.name === 'list_jobs' ? '' : ` Call list_jobs${ns ? ` with namespace '${ns}'` : ''} to see the jobs there (or namespace "*" for all).`;
    case 409: return ''; // each conflict says what to do
    case 429: return ' Too many requests: wait a minute and retry.';
    case 502: return ' This is what Nomad answered; tell the user, it usually needs an operator.';
    case 503: case 504: return ' Nomad is not answering; retry later or ask an operator to check the cluster and NOMAD_ADDR.';
    default: return '';
  }
}

/** Text for models that read `content` only: the sentence, then the data (logs as plain lines). */
function renderText(tool: ToolSpec, result: { message: string }): string {
  if (tool.name === 'get_job_logs') {
    const r = result as JobLogsResult;
    const parts = [r.message];
    for (const type of ['stdout', 'stderr'] as const) {
      const s = r[type];
      if (!s) continue;
      parts.push(`--- ${type}${s.truncated ? ' (last lines only)' : ''} ---`, s.lines.length ? s.lines.join('\n') : `(${s.note ?? 'empty'})`);
    }
    return parts.join('\n');
  }
  const { message, ...data } = result as Record<string, unknown>;
  return `${message}\n\n${JSON.stringify(data, null, 2)}`;
}
