import { Module } from '@nestjs/common';
import { ClaudeController } from './claude.controller';
import { JobsService } from './jobs.service';

@Module({
  controllers: [ClaudeController],
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
