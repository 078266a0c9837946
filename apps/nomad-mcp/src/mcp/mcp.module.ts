import { Module } from '@nestjs/common';
import { ApiDocument } from './api-document';
import { McpController } from './mcp.controller';
import { McpCompletions } from './mcp-completions';
import { McpResources } from './mcp-resources';
import { McpService } from './mcp.service';
import { ToolsController } from './tools.controller';

@Module({
  controllers: [ToolsController, McpController],
  providers: [McpService, McpResources, McpCompletions, ApiDocument],
  exports: [McpService, ApiDocument],
})
export class McpModule {}
