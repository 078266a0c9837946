import { allDiffLines, changeCount } from '../../jobs/nomad-diff.render';
import { GroupPlan } from './dto/job-spec.dto';
import type { JobPlanOutcome } from './job-planner';
import { PlacementExplainer } from './placement';
import { planAnswer, PlanJobOp } from './plan-job.op';

const render = (r: Parameters<PlanJobOp['render']>[0]) => new PlanJobOp(undefined as never, undefined as never).render(r);
const name = (i: number) => `group-number-${String(i).padStart(2, '0')}`;

/** Nomad's plan of `groups` groups, each changed from count 0 to 1 with a new image, the last `failing` of them unplaceable. */
function wide(groups: number, failing = 0, warnings = 0): JobPlanOutcome {
  const diff = {
    Type: 'Edited', ID: 'wide', Fields: null, Objects: null,
    TaskGroups: Array.from({ length: groups }, (_, i) => ({
      Type: 'Edited', Name: name(i), Updates: { create: 1 },
      Fields: [{ Type: 'Edited', Name: 'Count', Old: '0', New: '1', Annotations: ['forces create'] }], Objects: null,
      Tasks: [{ Type: 'Edited', Name: 'app', Annotations: ['forces create/destroy update'], Fields: null, Objects: [{ Type: 'Edited', Name: 'Config', Objects: null, Fields: [{ Type: 'Edited', Name: 'image', Old: 'nginx:1.27', New: 'nginx:1.28' }] }] }],
    })),
  };
  const plan = (i: number): GroupPlan => ({ group: name(i), create: 1, destroy: 0, update_in_place: 0, replace: 0, canary: 0, unchanged: 0, migrate: 0 });
  return {
    jobId: 'wide', namespace: 'development', isNew: false, jobModifyIndex: 42, diff: allDiffLines(diff as never),
    groups: Array.from({ length: groups }, (_, i) => plan(i)),
    warnings: Array.from({ length: warnings }, (_, i) => `warning ${i}: ${'w'.repeat(200)}`),
    failures: Array.from({ length: failing }, (_, i) => ({
      group: name(groups - failing + i), unplaced: 1,
      reason: "cpu exhausted on 1 node (1 node evaluated): asked 100 MHz CPU; the largest node has 2450 MHz free before this plan, and the plan's 24 other placements ask 2400 MHz in all",
    })),
  };
}

const bytes = (s: string) => Buffer.byteLength(s);

describe('plan_job answer of a big plan', () => {
  it.each([[25, 0, 0], [25, 1, 0], [25, 12, 0], [200, 50, 20], [3, 0, 0]])('%i groups, %i unplaceable, %i warnings: a default answer is at most 4 KB as JSON and as text, and its counts add up', (groups, failing, warnings) => {
    const o = wide(groups, failing, warnings);
    const r = planAnswer(o, undefined, render);
    expect(bytes(JSON.stringify(r))).toBeLessThanOrEqual(4096);
    expect(bytes(render(r))).toBeLessThanOrEqual(4096);
    // the headline's changes are those of the whole diff: the ones shown and the ones left out add up to it
    expect(r.changes).toBe(2 * groups);
    expect(r.message).toContain(`${2 * groups} changes to the spec`);
    expect(changeCount(r.diff) + r.left_out.changes).toBe(r.changes);
    expect(r.diff.filter((l) => !l.startsWith('…')).length + r.left_out.diff_lines).toBe(o.diff.length);
    expect(r.groups.length + r.left_out.groups).toBe(groups);
    expect(r.placement_failures.length + r.left_out.placement_failures).toBe(failing);
    expect(r.warnings.length + r.left_out.warnings).toBe(warnings);
    if (r.left_out.changes) expect(r.diff[r.diff.length - 1]).toBe(`… and ${r.left_out.changes} more changes (${r.left_out.diff_lines} more lines with their group and task headers)`);
    // the first sentence sums the groups up rather than listing them all
    const first = r.message.slice(0, r.message.indexOf('. ') + 1);
    expect(bytes(first)).toBeLessThan(400);
    if (groups > 4) expect(first).toContain(`${groups} groups, ${groups} to create in all (group-number-00: 1 to create; group-number-01: 1 to create; group-number-02: 1 to create; and ${groups - 3} more groups)`);
    if (failing > 1) expect(r.message).toContain(`Nomad could not place ${failing} allocations of ${failing} groups: 1 of group '${name(groups - failing)}'`);
    const cut = r.left_out.diff_lines + r.left_out.groups + r.left_out.placement_failures + r.left_out.warnings;
    expect(r.message.endsWith('call again with limit=2000 for the whole plan.')).toBe(cut > 0);
  });

  it('limit=2000 answers the whole plan; a small one is whole as it was', () => {
    const o = wide(25, 12, 7);
    const whole = planAnswer(o, 2000, render);
    expect(whole.diff).toEqual(o.diff);
    expect(whole.groups).toHaveLength(25);
    expect(whole.placement_failures).toHaveLength(12);
    expect(whole.warnings).toHaveLength(7);
    expect(whole.left_out).toEqual({ diff_lines: 0, changes: 0, groups: 0, placement_failures: 0, warnings: 0 });
    const small = planAnswer(wide(2), undefined, render);
    expect(small.message).toBe("Plan for job 'wide' in namespace 'development': 4 changes to the spec; group-number-00: 1 to create; group-number-01: 1 to create. Apply with register_job and job_modify_index 42.");
    expect(small.diff).toHaveLength(8);
  });
});

describe('placement failures of a plan', () => {
  const nodes = {
    list: async () => ({ body: [{ ID: 'n1', Status: 'ready', SchedulingEligibility: 'eligible', Drain: false, NodeResources: { Cpu: { CpuShares: 4000 }, Memory: { MemoryMB: 8192 } }, ReservedResources: { Cpu: { CpuShares: 0 }, Memory: { MemoryMB: 0 } } }] }),
    allocations: async () => ({ body: [{ DesiredStatus: 'run', ClientStatus: 'running', AllocatedResources: { Tasks: { app: { Cpu: { CpuShares: 1550 }, Memory: { MemoryMB: 512 } } } } }] }),
  };
  const job = { ID: 'wide', TaskGroups: Array.from({ length: 25 }, (_, i) => ({ Name: name(i), Count: 1, Tasks: [{ Name: 'app', Resources: { CPU: 100, MemoryMB: 64 } }] })) };
  const failed = { [name(24)]: { NodesEvaluated: 1, NodesExhausted: 1, DimensionExhausted: { cpu: 1 }, CoalescedFailures: 0 } };

  it("says the free capacity is from before the plan, and what the plan's other placements ask", async () => {
    const explainer = new PlacementExplainer(nodes as never);
    const placed = Object.fromEntries(job.TaskGroups.map((g) => [g.Name, 1]));
    const [f] = await explainer.explainMetrics(job as never, failed as never, { placed, replaced: 0 });
    expect(f).toEqual({
      group: name(24), unplaced: 1,
      reason: "cpu exhausted on 1 node (1 node evaluated): asked 100 MHz CPU; the largest node has 2450 MHz free before this plan, and the plan's 24 other placements ask 2400 MHz in all",
    });
    // replacements free what they replace: said, not guessed at
    const [r] = await explainer.explainMetrics(job as never, failed as never, { placed, replaced: 3 });
    expect(r.reason).toMatch(/ask 2400 MHz in all \(less what the 3 allocations it replaces free\)$/);
    // an evaluation's failure (placed since) keeps the present tense
    const [e] = await explainer.explainMetrics(job as never, failed as never);
    expect(e.reason).toBe('cpu exhausted on 1 node (1 node evaluated): asked 100 MHz CPU; the largest node has 2450 MHz free');
  });
});
