import { nextDelayNs, nextReschedule, rescheduleEligible, trackerFor } from './reschedule';
import type { Allocation, ReschedulePolicy, RescheduleTracker } from './types';

const SEC = 1e9;
const T0 = 1_800_000_000_000_000_000n;

/** A failed allocation of a group with `policy`, its task finished at `finishedMs`, having been rescheduled `delays` times. */
function failed(policy: ReschedulePolicy, delays: number[] = [], finishedMs = Number(T0 / 1_000_000n)): Allocation {
  const tracker: RescheduleTracker | null = delays.length
    ? { Events: delays.map((d, i) => ({ RescheduleTime: T0 - BigInt(delays.length - i) * 1_000_000_000n, PrevAllocID: `p${i}`, PrevNodeID: 'n', Delay: d })), LastReschedule: 'ok' }
    : null;
  return {
    ID: 'a', NodeID: 'node-1', TaskGroup: 'g', ClientStatus: 'failed', DesiredStatus: 'run', ModifyTime: T0, RescheduleTracker: tracker,
    TaskStates: { t: { State: 'dead', Failed: true, Restarts: 0, LastRestart: '', StartedAt: '', FinishedAt: new Date(finishedMs).toISOString(), Events: [], Paused: '' } },
    Job: { TaskGroups: [{ Name: 'g', ReschedulePolicy: policy }] },
  } as unknown as Allocation;
}

const policy = (p: Partial<ReschedulePolicy>): ReschedulePolicy => ({ Attempts: 0, Interval: 0, Delay: 5 * SEC, DelayFunction: 'constant', MaxDelay: 0, Unlimited: true, ...p });

describe('reschedule arithmetic (Nomad Allocation.NextDelay / NextRescheduleTime)', () => {
  it('constant: always the policy delay', () => {
    expect(nextDelayNs(failed(policy({})), policy({}))).toBe(5 * SEC);
    expect(nextDelayNs(failed(policy({}), [5 * SEC, 5 * SEC]), policy({}))).toBe(5 * SEC);
  });

  it('exponential: doubles the last delay, capped at max_delay', () => {
    const p = policy({ DelayFunction: 'exponential', MaxDelay: 30 * SEC });
    expect(nextDelayNs(failed(p), p)).toBe(5 * SEC);
    expect(nextDelayNs(failed(p, [5 * SEC]), p)).toBe(10 * SEC);
    expect(nextDelayNs(failed(p, [5 * SEC, 10 * SEC, 20 * SEC]), p)).toBe(30 * SEC);
  });

  it('fibonacci: the sum of the last two delays', () => {
    const p = policy({ DelayFunction: 'fibonacci', MaxDelay: 3600 * SEC });
    expect(nextDelayNs(failed(p, [5 * SEC]), p)).toBe(5 * SEC);
    expect(nextDelayNs(failed(p, [5 * SEC, 5 * SEC]), p)).toBe(10 * SEC);
    expect(nextDelayNs(failed(p, [5 * SEC, 5 * SEC, 10 * SEC]), p)).toBe(15 * SEC);
  });

  it('a capped series starts over when the allocation failed long after its last reschedule', () => {
    const p = policy({ DelayFunction: 'exponential', MaxDelay: 20 * SEC });
    const late = failed(p, [10 * SEC, 20 * SEC], Number(T0 / 1_000_000n) + 60_000);
    expect(nextDelayNs(late, p)).toBe(5 * SEC);
  });

  it('attempts within the interval bound eligibility; unlimited never runs out; no policy means none', () => {
    const once = policy({ Attempts: 1, Interval: 3600 * SEC, Unlimited: false });
    expect(nextReschedule(failed(once)).eligible).toBe(true);
    expect(nextReschedule(failed(once, [5 * SEC])).eligible).toBe(false);
    expect(rescheduleEligible(failed(once, [5 * SEC]), T0)).toBe(false);
    expect(nextReschedule(failed(policy({ DelayFunction: 'exponential' }), [5 * SEC, 10 * SEC])).eligible).toBe(true);
    expect(nextReschedule(failed(policy({ Unlimited: false }))).eligible).toBe(false);
    expect(rescheduleEligible(failed(policy({ Unlimited: false })), T0)).toBe(false);
  });

  it('the replacement carries the recent events plus its own, with the delay it waited', () => {
    const p = policy({ Attempts: 3, Interval: 3600 * SEC, Unlimited: false });
    const prev = failed(p, [5 * SEC]);
    const tracker = trackerFor(prev, T0);
    expect(tracker.Events.map((e) => [e.PrevAllocID, e.Delay])).toEqual([['p0', 5 * SEC], ['a', 5 * SEC]]);
    expect(tracker.Events[1]).toMatchObject({ RescheduleTime: T0, PrevNodeID: 'node-1' });
    expect(tracker.LastReschedule).toBe('ok');
  });
});
