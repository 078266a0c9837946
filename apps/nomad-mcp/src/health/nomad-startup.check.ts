import { INestApplicationContext, Injectable, Logger } from '@nestjs/common';
import { ConnectionFinding, NomadConnectionCheck } from './nomad-connection.check';

/** One line for the start-up log: `warn` for a problem, `log` for what was found. */
export type StartupFinding = ConnectionFinding;

/**
 * Checks at start-up what a user would otherwise find out at the first call (NomadConnectionCheck, with
 * NOMAD_TOKEN): each problem is ONE line that says what to do; nothing here stops the service, since Nomad may
 * come up later. `nomad-mcp check` runs the same checks and exits 1 on a warning.
 */
@Injectable()
export class NomadStartupCheck {
  constructor(private readonly connection: NomadConnectionCheck) {}

  /** The findings at start-up: an unreachable Nomad is no reason to stop, and the line says so. */
  run(): Promise<StartupFinding[]> {
    return this.findings(' Starting anyway: calls will work once Nomad answers.');
  }

  /** The findings; `unreachableNote` ends the line of an unreachable Nomad (`nomad-mcp check` adds none). */
  async findings(unreachableNote = ''): Promise<StartupFinding[]> {
    const report = await this.connection.check();
    if (!report.reachable) return report.findings.map((f) => ({ ...f, message: `${f.message}${unreachableNote}` }));
    return report.findings;
  }
}

/** How long after listening the check starts (see reportNomadStartupCheck). */
export const STARTUP_CHECK_DELAY_MS = 250;

/**
 * Runs the check in the background and logs each finding as one line; start-up never waits for it.
 * Used by the service (HTTP and stdio) and the demo. It starts a moment after the service listens: its first
 * Nomad calls load the HTTP client (axios, and the fetch classes of Node's that axios looks up as it loads)
 * and make four requests, some 120 ms of a core that the first requests (a health probe) would wait behind.
 */
export function reportNomadStartupCheck(app: INestApplicationContext): Promise<void> {
  const logger = new Logger('StartupCheck');
  return new Promise<void>((later) => setTimeout(later, STARTUP_CHECK_DELAY_MS))
    .then(() => app.get(NomadStartupCheck).run())
    .then(
      (findings) => findings.forEach((f) => logger[f.level](f.message)),
      (err: Error) => logger.warn(`Start-up check of Nomad failed: ${err.message}`),
    );
}
