import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ApiDocument } from './api-document';
import { McpController } from './mcp.controller';
import { McpService } from './mcp.service';
import { ToolsController } from './tools.controller';

@Module({
  imports: [JobsModule],
  controllers: [ToolsController, McpController],
  providers: [McpService, ApiDocument],
  exports: [McpService, ApiDocument],
})
export class McpModule {}
