import { Module } from '@nestjs/common';
import { ClaudeController } from './claude.controller';

/** The published manage-job route; the job operations themselves live in operations/jobs. */
@Module({ controllers: [ClaudeController] })
export class JobsModule {}
