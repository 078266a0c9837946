import { Module } from '@nestjs/common';
import { ApiDocument } from './api-document';
import { McpController } from './mcp.controller';
import { McpService } from './mcp.service';
import { ToolsController } from './tools.controller';

@Module({
  controllers: [ToolsController, McpController],
  providers: [McpService, ApiDocument],
  exports: [McpService, ApiDocument],
})
export class McpModule {}
