import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig, APP_CONFIG } from '../config/env.schema';
import { ApiDocument } from './api-document';
import { McpService } from './mcp.service';
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
  ) {}

  @Get('tools')
  @ApiOperation({ summary: 'Claude tool definitions', description: 'The tools in the Anthropic Messages API `tools` format (name, description, input_schema), ready to paste.' })
  tools() {
    return this.mcp.claudeTools();
  }

  @Get('tool-config')
  @ApiOperation({ summary: 'REST tool configuration', description: 'list_jobs, manage_job, create_job and get_job_logs with their URLs, methods and parameters, for clients that call the REST API as tools.' })
  toolConfig(@Req() req: Request) {
    const base = (this.config.publicUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '');
    return {
      name: 'nomad-mcp',
      description: 'Operate HashiCorp Nomad jobs through the Nomad MCP service.',
      base_url: base,
      authentication: { type: 'api_key', header: 'X-API-Key', alternative: 'Authorization: Bearer <key>' },
      tools: REST_TOOLS.map((t) => ({
        name: t.name,
        description: t.description,
        api_endpoint: `${base}${t.path}`,
        method: t.method,
        parameters_in: t.in,
        parameters: this.api.schemaOf(t.input.name),
      })),
    };
  }
}
