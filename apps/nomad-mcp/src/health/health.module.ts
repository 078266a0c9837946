import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuditHealthIndicator } from './audit.health';
import { HealthController } from './health.controller';
import { NomadHealthIndicator } from './nomad.health';
import { NomadConnectionCheck } from './nomad-connection.check';
import { NomadStartupCheck } from './nomad-startup.check';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [NomadHealthIndicator, AuditHealthIndicator, NomadConnectionCheck, NomadStartupCheck],
  exports: [NomadConnectionCheck, NomadStartupCheck],
})
export class HealthModule {}
