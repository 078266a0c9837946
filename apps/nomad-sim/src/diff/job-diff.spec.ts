import { canonicalizeJob } from '../jobspec';
import { tasksUpdated } from '../state/tasks-updated';
import type { Job } from '../state/types';
import { annotate, DesiredUpdates } from './annotate';
import { goFloat } from './flatten';
import { jobDiff } from './job-diff';

/** Cases of nomad/structs/diff_test.go and scheduler/annotate_test.go, on the simulator's canonical jobs. */

function job(edit: (j: any) => void = () => undefined): Job {
  const raw: any = {
    ID: 'web', Datacenters: ['dc1'], Meta: { team: 'a' },
    TaskGroups: [{
      Name: 'web', Count: 2, Networks: [{ DynamicPorts: [{ Label: 'http', To: 80 }] }],
      Services: [{ Name: 'web', PortLabel: 'http', Provider: 'nomad' }],
      Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27', ports: ['http'] }, Env: { LOG: 'info' }, Resources: { CPU: 100, MemoryMB: 64 } }],
    }],
  };
  edit(raw);
  return canonicalizeJob(raw, 'default', 'global');
}

const changed = <T extends { Type: string }>(fields: T[] | null) => (fields ?? []).filter((f) => f.Type !== 'None');
const desired = (u: Partial<DesiredUpdates>): Record<string, DesiredUpdates> => ({
  web: { Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0, Disconnect: 0, Reconnect: 0, RescheduleNow: 0, RescheduleLater: 0, ...u },
});

describe('jobDiff (nomad/structs/diff.go)', () => {
  it('a new job: every primitive field Added (zero values included), Datacenters as a set, groups and tasks Added', () => {
    const d = jobDiff(null, job(), true);
    expect(d.Type).toBe('Added');
    expect(d.Fields!.map((f) => [f.Type, f.Name, f.New])).toEqual([
      ['Added', 'AllAtOnce', 'false'], ['Added', 'Dispatched', 'false'], ['Added', 'Meta[team]', 'a'], ['Added', 'Name', 'web'],
      ['Added', 'Namespace', 'default'], ['Added', 'NodePool', 'default'], ['Added', 'Priority', '50'], ['Added', 'Region', 'global'],
      ['Added', 'Stop', 'false'], ['Added', 'Type', 'service'],
    ]);
    expect(d.Objects).toEqual([{ Type: 'Added', Name: 'Datacenters', Fields: [{ Type: 'Added', Name: 'Datacenters', Old: '', New: 'dc1', Annotations: null }], Objects: null }]);
    const g = d.TaskGroups![0];
    expect([g.Type, g.Name]).toEqual(['Added', 'web']);
    expect(g.Fields!.map((f) => f.Name)).toEqual(['Count', 'PreventRescheduleOnLost']);
    expect(g.Objects!.map((o) => o.Name)).toEqual(['RestartPolicy', 'Migrate', 'ReschedulePolicy', 'EphemeralDisk', 'Consul', 'Update', 'Network', 'Service']);
    // the group's Update leaves Stagger out; contextual keeps a block's empty fields as None
    expect(g.Objects!.find((o) => o.Name === 'Update')!.Fields!.map((f) => f.Name)).not.toContain('Stagger');
    expect(g.Objects!.find((o) => o.Name === 'Consul')!.Fields).toEqual([
      { Type: 'Added', Name: 'Cluster', Old: '', New: 'default', Annotations: null },
      { Type: 'None', Name: 'Namespace', Old: '', New: '', Annotations: null },
      { Type: 'None', Name: 'Partition', Old: '', New: '', Annotations: null },
    ]);
    const net = g.Objects!.find((o) => o.Name === 'Network')!;
    expect(net.Objects!.map((o) => [o.Type, o.Name, o.Fields!.map((f) => `${f.Name}=${f.New}`)])).toEqual([['Added', 'Dynamic Port', ['HostNetwork=default', 'Label=http', 'To=80']]]);
    const t = g.Tasks![0];
    expect([t.Type, t.Name]).toEqual(['Added', 'nginx']);
    expect(t.Fields!.map((f) => f.Name)).toEqual(['Driver', 'Env[LOG]', 'KillTimeout', 'Leader', 'ShutdownDelay']);
    expect(t.Objects!.map((o) => o.Name)).toEqual(['Config', 'Resources', 'LogConfig']);
  });

  it('an unchanged job is None, its groups and tasks listed with Type None', () => {
    const d = jobDiff(job(), job(), true);
    expect(d.Type).toBe('None');
    expect(d.Fields).toBeNull();
    expect(d.TaskGroups!.map((g) => [g.Type, g.Tasks!.map((t) => t.Type)])).toEqual([['None', ['None']]]);
  });

  it('primitive fields and map entries, sorted by name; a map key added and one removed', () => {
    const d = jobDiff(job(), job((j) => Object.assign(j, { AllAtOnce: true, Priority: 60, Meta: { owner: 'b' } })), true);
    expect(d.Type).toBe('Edited');
    expect(d.Fields!.map((f) => [f.Type, f.Name, f.Old, f.New])).toEqual([
      ['Edited', 'AllAtOnce', 'false', 'true'], ['Added', 'Meta[owner]', '', 'b'], ['Deleted', 'Meta[team]', 'a', ''], ['Edited', 'Priority', '50', '60'],
    ]);
  });

  it('datacenters and constraints are sets: a changed constraint is one Added and one Deleted object', () => {
    const c = (v: string) => ({ LTarget: '${attr.kernel.name}', Operand: '=', RTarget: v });
    const d = jobDiff(job((j) => (j.Constraints = [c('linux')])), job((j) => Object.assign(j, { Datacenters: ['dc1', 'dc2'], Constraints: [c('darwin')] })), true);
    expect(d.Objects!.map((o) => [o.Type, o.Name, changed(o.Fields).map((f) => `${f.Type} ${f.Name}`)])).toEqual([
      ['Added', 'Datacenters', ['Added Datacenters']],
      ['Added', 'Constraint', ['Added LTarget', 'Added Operand', 'Added RTarget']],
      ['Deleted', 'Constraint', ['Deleted LTarget', 'Deleted Operand', 'Deleted RTarget']],
    ]);
  });

  it('a driver config flattens every leaf; with context the unchanged ones are None (diff_test "Config edited with context")', () => {
    const config = (foo: number, bam: string[]) => ({ foo, bar: 'baz', bam, baz: { a: 1, b: 2 }, boom: ['boom_port'] });
    const d = jobDiff(job((j) => (j.TaskGroups[0].Tasks[0].Config = config(1, ['a', 'b']))), job((j) => (j.TaskGroups[0].Tasks[0].Config = config(2, ['a', 'c', 'd']))), true);
    const t = d.TaskGroups![0].Tasks![0];
    expect(t.Type).toBe('Edited');
    expect(t.Objects).toEqual([{
      Type: 'Edited', Name: 'Config', Objects: null, Fields: [
        { Type: 'None', Name: 'bam[0]', Old: 'a', New: 'a', Annotations: null },
        { Type: 'Edited', Name: 'bam[1]', Old: 'b', New: 'c', Annotations: null },
        { Type: 'Added', Name: 'bam[2]', Old: '', New: 'd', Annotations: null },
        { Type: 'None', Name: 'bar', Old: 'baz', New: 'baz', Annotations: null },
        { Type: 'None', Name: 'baz[a]', Old: '1', New: '1', Annotations: null },
        { Type: 'None', Name: 'baz[b]', Old: '2', New: '2', Annotations: null },
        { Type: 'None', Name: 'boom[0]', Old: 'boom_port', New: 'boom_port', Annotations: null },
        { Type: 'Edited', Name: 'foo', Old: '1', New: '2', Annotations: null },
      ],
    }]);
  });

  it('a changed network is a Deleted and an Added network (networks are hashed, never Edited)', () => {
    const d = jobDiff(job(), job((j) => (j.TaskGroups[0].Networks[0].DynamicPorts[0].To = 8080)), true);
    expect(d.TaskGroups![0].Objects!.map((o) => [o.Type, o.Name])).toEqual([['Added', 'Network'], ['Deleted', 'Network']]);
  });

  it('a service edited in place: its changed fields, the rest as None', () => {
    const d = jobDiff(job(), job((j) => (j.TaskGroups[0].Services[0].Tags = ['v2'])), true);
    const svc = d.TaskGroups![0].Objects!.find((o) => o.Name === 'Service')!;
    expect(svc.Type).toBe('Edited');
    expect(changed(svc.Fields)).toEqual([]);
    expect(svc.Objects).toEqual([{ Type: 'Added', Name: 'Tags', Fields: [{ Type: 'Added', Name: 'Tags', Old: '', New: 'v2', Annotations: null }], Objects: null }]);
  });

  it('goFloat prints float64 as Go does (Config numbers are float64)', () => {
    expect([goFloat(8080), goFloat(1e6), goFloat(1234567.5), goFloat(0.5), goFloat(0.00001)]).toEqual(['8080', '1e+06', '1.2345675e+06', '0.5', '1e-05']);
  });
});

describe('annotate (scheduler/annotate.go)', () => {
  const annotated = (after: Job, updates: Partial<DesiredUpdates>) => {
    const d = jobDiff(job(), after, true);
    annotate(d, desired(updates));
    return d.TaskGroups![0];
  };

  it('a count change forces create or destroy; the group carries the scheduler counts by name', () => {
    const up = annotated(job((j) => (j.TaskGroups[0].Count = 3)), { Place: 1, InPlaceUpdate: 2 });
    expect(up.Fields).toEqual([{ Type: 'Edited', Name: 'Count', Old: '2', New: '3', Annotations: ['forces create'] }]);
    expect(up.Updates).toEqual({ create: 1, 'in-place update': 2 });
    expect(up.Tasks![0].Annotations).toBeNull();
    const down = annotated(job((j) => (j.TaskGroups[0].Count = 1)), { Stop: 1, InPlaceUpdate: 1 });
    expect(down.Fields![0].Annotations).toEqual(['forces destroy']);
    expect(down.Updates).toEqual({ destroy: 1, 'in-place update': 1 });
  });

  it('an image or env change forces a create/destroy update; a kill timeout, a service or a constraint an in-place one', () => {
    const image = annotated(job((j) => (j.TaskGroups[0].Tasks[0].Config.image = 'nginx:1.28')), { DestructiveUpdate: 1, Ignore: 1 });
    expect(image.Tasks![0].Annotations).toEqual(['forces create/destroy update']);
    expect(image.Updates).toEqual({ ignore: 1, 'create/destroy update': 1 });
    expect(annotated(job((j) => (j.TaskGroups[0].Tasks[0].Env.LOG = 'debug')), {}).Tasks![0].Annotations).toEqual(['forces create/destroy update']);
    expect(annotated(job((j) => (j.TaskGroups[0].Tasks[0].KillTimeout = 9e9)), {}).Tasks![0].Annotations).toEqual(['forces in-place update']);
    const svc = annotated(job((j) => (j.TaskGroups[0].Tasks[0].Services = [{ Name: 'api', PortLabel: 'http' }])), {});
    expect(svc.Tasks![0].Annotations).toEqual(['forces in-place update']);
    const con = annotated(job((j) => (j.TaskGroups[0].Tasks[0].Constraints = [{ LTarget: 'a', Operand: '=', RTarget: 'b' }])), {});
    expect(con.Tasks![0].Annotations).toEqual(['forces in-place update']);
  });

  it('a task added to an existing group forces a create/destroy update; in a new group it forces create', () => {
    const added = annotated(job((j) => j.TaskGroups[0].Tasks.push({ Name: 'sidecar', Driver: 'docker', Config: { image: 'envoy' } })), {});
    expect(added.Tasks!.map((t) => [t.Name, t.Annotations])).toEqual([['nginx', null], ['sidecar', ['forces create/destroy update']]]);
    const d = jobDiff(null, job(), true);
    annotate(d, desired({ Place: 2 }));
    expect(d.TaskGroups![0].Tasks![0].Annotations).toEqual(['forces create']);
    expect(d.TaskGroups![0].Updates).toEqual({ create: 2 });
  });
});

describe('tasksUpdated (scheduler/util.go)', () => {
  it('names what replaces allocations, and lets in-place changes through', () => {
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Tasks[0].Config.image = 'nginx:1.28')), 'web')).toBe('task config');
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Tasks[0].Env.LOG = 'debug')), 'web')).toBe('task env');
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Tasks[0].Resources.MemoryMB = 128)), 'web')).toBe('task MemoryMB');
    // the job's meta is part of every task's combined meta
    expect(tasksUpdated(job(), job((j) => (j.Meta.team = 'b')), 'web')).toBe('task meta');
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Networks[0].DynamicPorts[0].To = 8080)), 'web')).toBe('network port map');
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Count = 5)), 'web')).toBeNull();
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Services[0].Tags = ['v2'])), 'web')).toBeNull();
    expect(tasksUpdated(job(), job((j) => (j.TaskGroups[0].Tasks[0].KillTimeout = 9e9)), 'web')).toBeNull();
  });
});
