import { Module } from '@nestjs/common';
import { ApprovalsService } from './approvals.service';
import { UiController } from './ui.controller';
import { UiSessions } from './ui-sessions';

/**
 * The approval and audit page at /ui: sign-in sessions, pending changes with Approve / Deny, the audit trail and
 * one job's history, as server-rendered HTML. Its state (sessions, pending changes) is in the audit database.
 */
@Module({ controllers: [UiController], providers: [UiSessions, ApprovalsService] })
export class UiModule {}
