import { INestApplicationContext, Logger } from '@nestjs/common';
import { NomadStartupCheck, reportNomadStartupCheck, STARTUP_CHECK_DELAY_MS } from './nomad-startup.check';

describe('reportNomadStartupCheck', () => {
  afterEach(() => jest.useRealTimers());

  it('starts the check a moment after it is called, not before the first requests can be served, then logs each finding', async () => {
    jest.useFakeTimers();
    const run = jest.fn(async () => [{ level: 'warn' as const, message: 'Nomad is far away.' }]);
    const app = { get: (token: unknown) => (token === NomadStartupCheck ? { run } : undefined) } as unknown as INestApplicationContext;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const done = reportNomadStartupCheck(app);
      await jest.advanceTimersByTimeAsync(STARTUP_CHECK_DELAY_MS - 1);
      expect(run).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      await done;
      expect(run).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith('Nomad is far away.');
    } finally {
      warn.mockRestore();
    }
  });
});
