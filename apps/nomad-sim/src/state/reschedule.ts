import type { Allocation, ReschedulePolicy, RescheduleTracker } from './types';

/**
 * Nomad's rescheduling arithmetic for failed allocations (nomad/structs: Allocation.NextDelay,
 * NextRescheduleTime, RescheduleTracker.RescheduleEligible; scheduler/generic_sched.go updateRescheduleTracker).
 * Times are Unix nanoseconds; delays nanoseconds as the spec gives them (the scheduler scales them to
 * simulated time where it waits).
 */

/** Nomad keeps at most this many past reschedule events of an unlimited policy (maxPastRescheduleEvents). */
const MAX_PAST_EVENTS = 5;

/** ReschedulePolicy.Enabled: whether the policy allows any attempt (what Job.Evaluate's force-reschedule needs too). */
export function rescheduleEnabled(policy: ReschedulePolicy | null | undefined): policy is ReschedulePolicy {
  return !!policy && (policy.Attempts > 0 || policy.Unlimited);
}

export function policyOf(a: Allocation): ReschedulePolicy | null {
  return a.Job.TaskGroups.find((g) => g.Name === a.TaskGroup)?.ReschedulePolicy ?? null;
}

/** Allocation.LastEventTime: the latest FinishedAt of its tasks, else its modify time. */
export function lastEventTimeNs(a: Allocation): bigint {
  let latest = 0n;
  for (const s of Object.values(a.TaskStates ?? {})) {
    const t = Date.parse(s.FinishedAt);
    if (t > 0 && BigInt(t) * 1_000_000n > latest) latest = BigInt(t) * 1_000_000n;
  }
  return latest || a.ModifyTime;
}

/** Reschedules within the policy's interval before `failTime` (RescheduleTracker.rescheduleInfo). */
function attempted(tracker: RescheduleTracker | null, policy: ReschedulePolicy, failTimeNs: bigint): number {
  if (!tracker || policy.Attempts <= 0) return 0;
  return tracker.Events.filter((e) => failTimeNs - e.RescheduleTime < BigInt(policy.Interval)).length;
}

/** Allocation.NextDelay: the delay before the next reschedule, by the policy's delay function. */
export function nextDelayNs(a: Allocation, policy: ReschedulePolicy): number {
  const events = a.RescheduleTracker?.Events ?? [];
  if (!events.length) return policy.Delay;
  let delay: number;
  switch (policy.DelayFunction) {
    case 'exponential':
      delay = events[events.length - 1].Delay * 2;
      break;
    case 'fibonacci': {
      if (events.length < 2) return policy.Delay;
      const [n2, n1] = [events[events.length - 2].Delay, events[events.length - 1].Delay];
      // a series that hit the ceiling and was reset starts again
      delay = n2 === policy.MaxDelay && n1 === policy.Delay ? n1 : n1 + n2;
      break;
    }
    default:
      return policy.Delay;
  }
  if (policy.MaxDelay > 0 && delay > policy.MaxDelay) {
    delay = policy.MaxDelay;
    // failing again long after the last reschedule starts the series over
    const sinceLast = lastEventTimeNs(a) - events[events.length - 1].RescheduleTime;
    if (sinceLast > BigInt(delay)) delay = policy.Delay;
  }
  return delay;
}

/**
 * Allocation.NextRescheduleTime: when a failed allocation may be replaced (its fail time plus the next delay)
 * and whether its policy allows another attempt at all.
 */
export function nextReschedule(a: Allocation): { failTimeNs: bigint; delayNs: number; eligible: boolean } {
  const policy = policyOf(a);
  const failTimeNs = lastEventTimeNs(a);
  if (!rescheduleEnabled(policy) || a.ClientStatus !== 'failed' || a.DesiredStatus === 'stop') {
    return { failTimeNs, delayNs: 0, eligible: false };
  }
  const delayNs = nextDelayNs(a, policy);
  let eligible = policy.Unlimited || (policy.Attempts > 0 && !a.RescheduleTracker);
  if (policy.Attempts > 0 && a.RescheduleTracker) {
    eligible = attempted(a.RescheduleTracker, policy, failTimeNs) < policy.Attempts && delayNs < policy.Interval;
  }
  return { failTimeNs, delayNs, eligible };
}

/** RescheduleTracker.RescheduleEligible: whether the policy allows another attempt (the deployment watcher asks). */
export function rescheduleEligible(a: Allocation, nowNs: bigint): boolean {
  const policy = policyOf(a);
  if (!policy || (policy.Attempts <= 0 && !policy.Unlimited)) return false;
  if (policy.Unlimited) return true;
  if (!a.RescheduleTracker?.Events.length) return true;
  return attempted(a.RescheduleTracker, policy, nowNs) < policy.Attempts;
}

/** updateRescheduleTracker: the replacement inherits the recent events of the one it replaces, plus this one. */
export function trackerFor(prev: Allocation, nowNs: bigint): RescheduleTracker {
  const policy = policyOf(prev);
  const past = prev.RescheduleTracker?.Events ?? [];
  let kept = past;
  if (policy && policy.Attempts > 0) kept = past.filter((e) => policy.Interval > 0 && nowNs - e.RescheduleTime <= BigInt(policy.Interval));
  else kept = past.slice(-MAX_PAST_EVENTS);
  const delay = policy ? nextDelayNs(prev, policy) : 0;
  return {
    Events: [...kept.map((e) => ({ ...e })), { RescheduleTime: nowNs, PrevAllocID: prev.ID, PrevNodeID: prev.NodeID, Delay: delay }],
    LastReschedule: 'ok',
  };
}
