/**
 * The signal names a Nomad client accepts (consul-template's signals.SignalLookup on Linux, which the task
 * drivers parse with) and their numbers, for the task events of /v1/client/allocation/:id/signal.
 */
export const SIGNAL_NUMBERS: Record<string, number> = {
  SIGABRT: 6, SIGALRM: 14, SIGBUS: 7, SIGCHLD: 17, SIGCONT: 18, SIGFPE: 8, SIGHUP: 1, SIGILL: 4, SIGINT: 2,
  SIGIO: 29, SIGIOT: 6, SIGKILL: 9, SIGPIPE: 13, SIGPROF: 27, SIGQUIT: 3, SIGSEGV: 11, SIGSTOP: 19, SIGSYS: 31,
  SIGTERM: 15, SIGTRAP: 5, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGUSR1: 10, SIGUSR2: 12,
  SIGVTALRM: 26, SIGWINCH: 28, SIGXCPU: 24, SIGXFSZ: 25,
};

/**
 * Signals after which the simulated task's process is gone (it exits, or is killed): the task restarts per its
 * restart policy, as Nomad restarts any service task whose process ended. Others (SIGHUP, SIGUSR1…) are taken
 * as handled: the simulated programs reload or reopen their logs.
 */
const ENDS_PROCESS = new Set(['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGKILL']);

/** The name as the driver reads it (case does not matter), or undefined for a name it refuses. */
export function parseSignal(name: string): string | undefined {
  const upper = name.toUpperCase();
  return upper in SIGNAL_NUMBERS ? upper : undefined;
}

export const endsProcess = (signal: string) => ENDS_PROCESS.has(signal);
