import { All, Controller, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestPrincipal } from '@nomad-mcp/auth';
import { McpRawArgumentInterceptor } from '../common/mcp-raw-arguments';
import { authInfoFor, McpService } from './mcp.service';
import { mcpSdk } from './mcp-sdk';

/** MCP over Streamable HTTP at /mcp, stateless: each POST gets its own server and transport. */
@ApiExcludeController()
// on this controller only: an interceptor anywhere puts every route of the service through rxjs
@UseInterceptors(McpRawArgumentInterceptor)
@Controller('mcp')
export class McpController {
  constructor(private readonly mcp: McpService) {}

  @All()
  async handle(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (req.method !== 'POST') {
      void reply.code(405).header('Allow', 'POST').send({
        jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages to it.' }, id: null,
      });
      return;
    }
    const server = this.mcp.createServer();
    // one JSON answer, unless a tool call asks for progress: then the answer is an event stream that carries the
    // progress notifications before the result (the client's Accept must allow text/event-stream, as SDKs' does)
    const transport = new (mcpSdk().StreamableHTTPServerTransport)({ sessionIdGenerator: undefined, enableJsonResponse: !asksForProgress(req.body) });
    // the SDK writes the answer to Node's own response: Fastify leaves it alone from here
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // the SDK hands `req.auth` to tool handlers as their authInfo: how the caller reaches the executor
    (req.raw as typeof req.raw & { auth?: unknown }).auth = authInfoFor(requestPrincipal(req));
    await transport.handleRequest(req.raw, reply.raw, req.body);
  }
}

/** A tools/call (alone or in a batch) whose _meta carries a progress token. */
function asksForProgress(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const msg = m as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } } | null;
    return msg?.method === 'tools/call' && msg.params?._meta?.progressToken !== undefined;
  });
}
