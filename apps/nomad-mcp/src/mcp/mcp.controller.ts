import { All, Controller, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { requestPrincipal } from '@nomad-mcp/auth';
import { McpRawArgumentInterceptor } from '../common/mcp-raw-arguments';
import { authInfoFor, McpService } from './mcp.service';

/** MCP over Streamable HTTP at /mcp, stateless: each POST gets its own server and transport. */
@ApiExcludeController()
// on this controller only: an interceptor anywhere puts every route of the service through rxjs
@UseInterceptors(McpRawArgumentInterceptor)
@Controller('mcp')
export class McpController {
  constructor(private readonly mcp: McpService) {}

  @All()
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (req.method !== 'POST') {
      res.status(405).set('Allow', 'POST').json({
        jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages to it.' }, id: null,
      });
      return;
    }
    const server = this.mcp.createServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // the SDK hands `req.auth` to tool handlers as their authInfo: how the caller reaches the executor
    (req as Request & { auth?: unknown }).auth = authInfoFor(requestPrincipal(req));
    await transport.handleRequest(req, res, req.body);
  }
}
