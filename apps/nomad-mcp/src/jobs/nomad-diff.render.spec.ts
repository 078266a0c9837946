import { readFileSync } from 'node:fs';
import { allDiffLines, boundDiffLines, changeCount, diffLines } from './nomad-diff.render';
import { SPEC_DIR, specAvailable } from '../../../../test/support/nomad-api-spec';

// An edit as Nomad's plan answers it (structs.JobDiff): a changed image, a changed count, an env var added.
const edited = {
  Type: 'Edited', ID: 'web',
  Fields: [{ Type: 'Edited', Name: 'Priority', Old: '50', New: '60', Annotations: null }],
  Objects: null,
  TaskGroups: [{
    Type: 'Edited', Name: 'web', Updates: { 'create/destroy update': 2 },
    Fields: [{ Type: 'Edited', Name: 'Count', Old: '2', New: '3', Annotations: null }],
    Objects: null,
    Tasks: [{
      Type: 'Edited', Name: 'nginx', Annotations: ['forces create/destroy update'],
      Fields: [{ Type: 'Added', Name: 'Env[API_TOKEN]', Old: '', New: 'hunter2', Annotations: null }],
      Objects: [{ Type: 'Edited', Name: 'Config', Objects: null, Fields: [{ Type: 'Edited', Name: 'image', Old: 'nginx:1.27', New: 'nginx:1.28', Annotations: null }, { Type: 'None', Name: 'ports[0]', Old: 'http', New: 'http' }] }],
    }, { Type: 'Added', Name: 'sidecar', Fields: null, Objects: null }],
  }],
};

describe('diffLines', () => {
  it("renders Nomad's diff as +/-/~ lines with paths, hiding env values; a plan's counts and reasons come along", () => {
    expect(diffLines(edited as never)).toEqual([
      '~ Priority: "50" → "60"',
      '~ group web (2 create/destroy update)',
      '~ group web: Count: "2" → "3"',
      '~ group web: task nginx (forces create/destroy update)',
      '+ group web: task nginx: Env[API_TOKEN]: (value hidden)',
      '~ group web: task nginx: Config.image: "nginx:1.27" → "nginx:1.28"',
      '+ group web: task sidecar',
    ]);
  });

  it("hides a command line's secret flag values: by the word before (in a plan's contextual diff), in --flag=value, or when the word before is not there to judge by", () => {
    const field = (Type: string, Name: string, Old: string, New: string) => ({ Type, Name, Old, New, Annotations: null });
    const config = (fields: unknown[]) => ({ Type: 'Edited', ID: 'web', Fields: null, Objects: null, TaskGroups: [{ Type: 'Edited', Name: 'web', Fields: null, Objects: null, Tasks: [{ Type: 'Edited', Name: 't', Fields: null, Objects: [{ Type: 'Edited', Name: 'Config', Objects: null, Fields: fields }] }] }] });
    // a plan (contextual): the unchanged words come along
    expect(diffLines(config([
      field('None', 'args[0]', '--password', '--password'), field('Edited', 'args[1]', 'LEAK-1', 'LEAK-2'),
      field('None', 'args[2]', '--port', '--port'), field('Edited', 'args[3]', '8080', '9090'),
      field('Edited', 'args[4]', '--api-key=LEAK-3', '--api-key=LEAK-4'), field('Added', 'args[5]', '', 'postgres://u:LEAK-5@db/x'),
    ]) as never)).toEqual([
      '~ group web: task t: Config.args[1]: (value changed)',
      '~ group web: task t: Config.args[3]: "8080" → "9090"',
      '~ group web: task t: Config.args[4]: "--api-key=(hidden)" → "--api-key=(hidden)"',
      '+ group web: task t: Config.args[5]: "postgres://u:(hidden)@db/x"',
    ]);
    // a block added whole: each word judged by the one before it
    const added = { Type: 'Edited', ID: 'web', Fields: null, Objects: null, TaskGroups: [{ Type: 'Edited', Name: 'web', Fields: null, Objects: null, Tasks: [{ Type: 'Edited', Name: 't', Fields: null, Objects: [{ Type: 'Added', Name: 'Config', Objects: null, Fields: [field('Added', 'args[0]', '', '--token'), field('Added', 'args[1]', '', 'LEAK-8'), field('Added', 'image', '', 'app:1')] }] }] }] };
    expect(diffLines(added as never)).toEqual(['+ group web: task t: Config {args[0]: "--token", args[1]: (hidden), image: "app:1"}']);
    // a version diff leaves the unchanged words out: a word whose flag is not there is not shown
    expect(diffLines(config([field('Edited', 'args[1]', 'LEAK-6', 'LEAK-7'), field('Edited', 'args[2]', '-v', '-vv')]) as never)).toEqual([
      '~ group web: task t: Config.args[1]: (value changed)',
      '~ group web: task t: Config.args[2]: "-v" → "-vv"',
    ]);
  });

  it('a block added or removed whole is one line; a count change says what it forces; a new job is its groups and tasks', () => {
    const port = (type: string, to: string) => ({ Type: type, Name: 'Network', Fields: [{ Type: 'None', Name: 'Mode', Old: '', New: '' }], Objects: [{ Type: type, Name: 'Dynamic Port', Objects: null, Fields: [{ Type: type, Name: 'Label', Old: type === 'Deleted' ? 'http' : '', New: type === 'Added' ? 'http' : '' }, { Type: type, Name: 'To', Old: type === 'Deleted' ? to : '', New: type === 'Added' ? to : '' }] }] });
    const diff = {
      Type: 'Edited', ID: 'web', Fields: null, Objects: null,
      TaskGroups: [{
        Type: 'Edited', Name: 'web', Updates: { ignore: 1, create: 1, 'in-place update': 2 }, Tasks: null,
        Fields: [{ Type: 'Edited', Name: 'Count', Old: '2', New: '3', Annotations: ['forces create'] }],
        Objects: [port('Added', '8080'), port('Deleted', '80'), { Type: 'Added', Name: 'Service', Objects: null, Fields: [{ Type: 'Added', Name: 'Name', Old: '', New: 'web' }, { Type: 'Added', Name: 'Meta[owner]', Old: '', New: 'me' }] }],
      }],
    };
    expect(diffLines(diff as never)).toEqual([
      '~ group web (1 create, 2 in-place update, 1 ignore)',
      '~ group web: Count: "2" → "3" (forces create)',
      '+ group web: Network {Dynamic Port {Label: "http", To: "8080"}}',
      '- group web: Network {Dynamic Port {Label: "http", To: "80"}}',
      '+ group web: Service {Name: "web", Meta[owner]: (hidden)}',
    ]);
    const added = { Type: 'Added', ID: 'api', Fields: [{ Type: 'Added', Name: 'Type', Old: '', New: 'service' }], TaskGroups: [{ Type: 'Added', Name: 'api', Updates: { create: 2 }, Tasks: [{ Type: 'Added', Name: 'app', Annotations: ['forces create'] }] }] };
    expect(diffLines(added as never)).toEqual(['+ job "api"', '+ group api (2 create)', '+ group api: task app (forces create)']);
  });

  it('says nothing for no diff, and bounds a long one', () => {
    expect(diffLines(null)).toEqual([]);
    expect(diffLines({ Type: 'None', ID: 'x' })).toEqual([]);
    const many = { Type: 'Edited', ID: 'x', Fields: Array.from({ length: 50 }, (_, i) => ({ Type: 'Added', Name: `F${i}`, Old: '', New: 'v' })) };
    const lines = diffLines(many as never, 10);
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('… and 40 more changes');
    // a long value is cut, and a character budget stops the lines earlier
    const long = { Type: 'Edited', ID: 'x', Fields: Array.from({ length: 5 }, (_, i) => ({ Type: 'Added', Name: `F${i}`, Old: '', New: 'v'.repeat(500) })) };
    const cut = diffLines(long as never, 40, 450);
    expect(cut).toEqual([expect.stringMatching(/^\+ F0: "v+…$/), expect.stringMatching(/^\+ F1: /), '… and 3 more changes']);
    expect(cut[0]).toHaveLength(200);
  });

  it('a bounded diff of a big plan counts the changes it leaves out so that they add up to the whole diff, headers apart', () => {
    // 25 groups, each: count 0 → 1 and a new image (a header line for the group, one for the task, two changes)
    const wide = {
      Type: 'Edited', ID: 'wide', Fields: null, Objects: null,
      TaskGroups: Array.from({ length: 25 }, (_, i) => ({
        Type: 'Edited', Name: `g${String(i).padStart(2, '0')}`, Updates: { create: 1 },
        Fields: [{ Type: 'Edited', Name: 'Count', Old: '0', New: '1', Annotations: ['forces create'] }], Objects: null,
        Tasks: [{ Type: 'Edited', Name: 'app', Annotations: ['forces create/destroy update'], Fields: null, Objects: [{ Type: 'Edited', Name: 'Config', Objects: null, Fields: [{ Type: 'Edited', Name: 'image', Old: 'nginx:1.27', New: 'nginx:1.28' }] }] }],
      })),
    };
    const all = allDiffLines(wide as never);
    expect(all).toHaveLength(100);
    expect(changeCount(all)).toBe(50);
    const shown = boundDiffLines(all, 30);
    // 30 lines would end on group g07's header and its count change: the cut keeps whole lines, the trailer counts the rest
    expect(shown.slice(-2)).toEqual(['~ group g07: Count: "0" → "1" (forces create)', '… and 35 more changes (70 more lines with their group and task headers)']);
    expect(changeCount(shown) + 35).toBe(changeCount(all));
    // a cut that would end on a header drops it: no header is shown without a change under it
    const onHeader = boundDiffLines(all, 29);
    expect(onHeader[onHeader.length - 2]).toBe('~ group g06: task app: Config.image: "nginx:1.27" → "nginx:1.28"');
    expect(onHeader[onHeader.length - 1]).toBe('… and 36 more changes (72 more lines with their group and task headers)');
    expect(changeCount(onHeader) + 36).toBe(50);
    // diffLines is the same bound over the same lines
    expect(diffLines(wide as never, 30)).toEqual(shown);
    expect(boundDiffLines(all, 100)).toEqual(all);
  });

  // the spec folder is outside the repository; the global set-up says once when it is missing (CI requires it)
  (specAvailable() ? it : it.skip)("reads the plan sample from Nomad's API docs without tripping on its elisions", () => {
    const plan = JSON.parse(readFileSync(`${SPEC_DIR}/samples/POST_v1_job_ID_plan.response.json`, 'utf8'));
    expect(diffLines(plan.Diff)).toEqual(['+ job "example"', '+ group cache (1 create)', '+ group cache: task redis (forces create)']);
  });
});
