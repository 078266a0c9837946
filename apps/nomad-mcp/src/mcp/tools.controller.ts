import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { API_KEY_RING, ApiKeyRing, requestPrincipal } from '@nomad-mcp/auth';
import { acceptedHost, hostPolicyOf } from '../common/accepted-host';
import { AppConfig, APP_CONFIG } from '../config/env.schema';
import { ApiDocument } from './api-document';
import { McpService } from './mcp.service';
import { restToolConfig, RestToolConfig } from './rest-tool-config';
import { REST_TOOLS } from './tool-catalog';

@ApiTags('claude')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('api/claude')
export class ToolsController {
  constructor(
    private readonly mcp: McpService,
    private readonly api: ApiDocument,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(API_KEY_RING) private readonly keys: ApiKeyRing,
  ) {}

  @Get('tools')
  @ApiOperation({ summary: 'Claude tool definitions', description: 'The tools in the Anthropic Messages API `tools` format (name, description, input_schema), ready to paste.' })
  tools(@Req() req: Request) {
    return this.mcp.claudeTools(requestPrincipal(req));
  }

  @Get('tool-config')
  @ApiOperation({
    summary: 'REST tool configuration',
    description: 'One tool, nomad_mcp, whose api_endpoints are list_jobs, manage_job, create_job and get_job_logs: method, URL (with the service\'s base URL), and params (GET) or body field types (POST), for clients that call the REST API as tools.',
  })
  toolConfig(@Req() req: Request): RestToolConfig {
    const base = (this.config.publicUrl ?? this.requestBase(req)).replace(/\/+$/, '');
    return restToolConfig(base, REST_TOOLS, (model) => this.api.schemaOf(model), this.config.defaultNamespace);
  }

  /**
   * Without PUBLIC_URL the base is where the request was addressed, but only for a Host the service accepts:
   * any other Host header (set by whoever sent the request) falls back to the socket's own address, so no
   * caller can make the published URLs point elsewhere.
   */
  private requestBase(req: Request): string {
    if (acceptedHost(req, hostPolicyOf(this.config, this.keys.enabled))) return `${req.protocol}://${req.headers.host}`;
    const address = req.socket.localAddress ?? '127.0.0.1';
    const host = address.includes(':') ? `[${address.replace(/^::ffff:/, '')}]`.replace(/^\[(\d+\.\d+\.\d+\.\d+)\]$/, '$1') : address;
    return `${req.protocol}://${host}:${req.socket.localPort}`;
  }
}
