import { waitFor } from './support/http';
import { requestErrors } from './support/openapi';
import { Stack, startStack } from './support/stack';

/** The published contract of /api/claude, end to end: HTTP in, Nomad traffic and an answer out. */
describe('Claude REST API against the simulator', () => {
  let s: Stack;
  const ns = 'development';

  beforeAll(async () => {
    s = await startStack();
    // the seeded service reaches running, the batch job completes, the broken one fails
    await waitFor('demo data settled', async () => {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      const byId = Object.fromEntries(r.json.jobs.map((j: any) => [j.id, j]));
      return byId['example-job']?.allocations.running === 2 && byId['nightly-report']?.status === 'dead' && byId['broken-api']?.allocations.failed === 1;
    }, 20000);
  });
  afterAll(() => s.close());

  describe('GET /api/claude/list-jobs', () => {
    it('lists the jobs of a namespace with id, name, status, type and counts', async () => {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development');
      expect(r.status).toBe(200);
      expect(r.json.namespace).toBe('development');
      const ids = r.json.jobs.map((j: any) => j.id);
      expect(ids).toEqual(['broken-api', 'example-job', 'nightly-report']);
      const example = r.json.jobs.find((j: any) => j.id === 'example-job');
      expect(example).toMatchObject({ name: 'example-job', status: 'running', type: 'service', namespace: 'development', priority: 50 });
      expect(new Date(example.submitted_at).getTime()).toBeGreaterThan(Date.now() - 120000);
      expect(r.json.jobs.find((j: any) => j.id === 'nightly-report')).toMatchObject({ type: 'batch', status: 'dead' });
      expect(r.json.message).toMatch(/^3 jobs in namespace 'development'/);
      // one page of Nomad's list (limit defaults to 10), in Nomad's order
      expect(s.nomadTraffic).toContain('GET /v1/jobs?namespace=development&per_page=10');
      expect(r.json.next_token).toBeNull();
    });

    it('defaults to the development namespace and lists every namespace with *', async () => {
      const def = await s.api('GET', '/api/claude/list-jobs');
      expect(def.json.namespace).toBe('development');
      const all = await s.api('GET', '/api/claude/list-jobs?namespace=*');
      expect(all.json.jobs.map((j: any) => `${j.namespace}/${j.id}`)).toEqual(expect.arrayContaining(['default/hello-world', 'development/example-job']));
    });

    it('filters by status through Nomad\'s own filter expression', async () => {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=development&status=dead');
      expect(r.status).toBe(200);
      expect(r.json.jobs.map((j: any) => j.id)).toEqual(expect.arrayContaining(['nightly-report']));
      expect(r.json.jobs.every((j: any) => j.status === 'dead')).toBe(true);
      expect(r.json.message).toMatch(/dead jobs? in namespace 'development'/);
      expect(s.nomadTraffic).toContain(`GET /v1/jobs?namespace=development&filter=${encodeURIComponent('Status == "dead"').replace(/%20/g, '+')}&per_page=10`);
      const bad = await s.api('GET', '/api/claude/list-jobs?status=exploded');
      expect(bad.status).toBe(400);
      expect(bad.json.errors[0]).toEqual({ field: 'status', reasons: ['status must be one of: pending, running, dead'] });
    });

    it('answers an empty namespace plainly', async () => {
      expect((await s.nomad('PUT', '/v1/namespace/nobody-here', { Name: 'nobody-here' })).status).toBe(200);
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=nobody-here');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ count: 0, jobs: [], message: "No jobs in namespace 'nobody-here'." });
    });

    it('says when the namespace does not exist, and how to choose another (not an empty list)', async () => {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=no-such-ns');
      expect(r.status).toBe(404);
      expect(r.json.message).toBe("namespace 'no-such-ns' does not exist in Nomad");
      expect(r.json.next_step).toMatch(/^Set DEFAULT_NAMESPACE to an existing namespace or pass namespace/);
      const status = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'status', namespace: 'no-such-ns' });
      expect(status.status).toBe(404);
      expect(status.json.message).toBe("namespace 'no-such-ns' does not exist in Nomad");
    });

    it('rejects a bad namespace naming the field', async () => {
      const r = await s.api('GET', '/api/claude/list-jobs?namespace=' + encodeURIComponent('bad ns'));
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(r.json.message).toMatch(/namespace/);
      expect(r.json.errors[0].field).toBe('namespace');
    });
  });

  describe('POST /api/claude/jobs', () => {
    it('status (the published body, verbatim) says what a person needs to judge the job', async () => {
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'example-job', action: 'status', namespace: 'development', purge: false });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ job_id: 'example-job', namespace: ns, type: 'service', status: 'running', version: 0 });
      expect(r.json.allocations).toMatchObject({ running: 2, failed: 0 });
      expect(r.json.latest_deployment).toMatchObject({ status: 'successful', version: 0 });
      expect(r.json.problems).toEqual([]);
      expect(r.json.message).toMatch(/^Job 'example-job' \(service, version 0\) is running; allocations: 2 running of 2 desired; latest deployment successful/);
    });

    it('status of a failing job gives the failed task events and their messages', async () => {
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'broken-api', action: 'status', namespace: ns });
      expect(r.json.allocations.failed).toBe(1);
      expect(r.json.latest_deployment.status).toBe('failed');
      const events = r.json.problems.map((p: any) => p.event);
      expect(events).toEqual(expect.arrayContaining(['Driver Failure', 'Not Restarting']));
      expect(r.json.problems.find((p: any) => p.event === 'Driver Failure').message).toMatch(/Failed to pull `registry.example.com\/team\/api:missing`/);
      expect(r.json.problems[0].event).toBe('Driver Failure');
      expect(r.json.message).toMatch(/Latest problem: Driver Failure in task 'api': failed to create container: Failed to pull/);
    });

    it('status of an unplaceable job gives the placement failures of its blocked evaluation', async () => {
      const create = await s.api('POST', '/api/claude/create-job', { job_id: 'too-big', docker_image: 'nginx:1.27', memory: 500000, namespace: ns });
      expect(create.status).toBe(201);
      // the create answer itself says that nothing can be placed, with what was asked and what the best node has
      expect(create.json).toMatchObject({ created: true, eval_status: 'complete', placement_failures: [{ group: 'too-big', unplaced: 1 }] });
      expect(create.json.message).toMatch(/^Created job 'too-big' in namespace 'development' \(version 0\), but evaluation [0-9a-f]{8} could not place it\. Cannot place 1 of group 'too-big': memory exhausted on 1 node \(1 node evaluated\): asked 500000 MB memory; the largest node has \d+ MB free\./);
      const free = Number(/has (\d+) MB free/.exec(create.json.message)![1]);
      expect(free).toBeGreaterThan(0);
      expect(free).toBeLessThan(8192); // the seeded jobs use some of the simulated node's 8192 MB
      const r = await waitFor('blocked', async () => {
        const x = await s.api('POST', '/api/claude/jobs', { job_id: 'too-big', action: 'status', namespace: ns });
        return x.json.placement_failures?.length ? x : undefined;
      });
      expect(r.json.status).toBe('pending');
      expect(r.json.allocations.queued).toBe(1);
      expect(r.json.placement_failures[0]).toMatchObject({ group: 'too-big', unplaced: 1 });
      expect(r.json.placement_failures[0].reason).toMatch(/memory exhausted on 1 node/);
      expect(r.json.message).toMatch(/Cannot place 1 of group 'too-big': memory exhausted/);
      const logs = await s.api('GET', '/api/claude/job-logs/too-big?namespace=development');
      expect(logs.status).toBe(200);
      expect(logs.json).toMatchObject({ alloc_id: null, message: expect.stringMatching(/has no allocations yet/) });
      await s.api('POST', '/api/claude/jobs', { job_id: 'too-big', action: 'stop', namespace: ns, purge: true });
    });

    it('a job whose failed allocation was rescheduled counts only its current allocations ("1 failed of 1 desired; 1 earlier allocation failed")', async () => {
      // rescheduled once (Nomad's default for a service would replace it forever): the replacement fails the same way
      const flaky = {
        ID: 'flaky', Type: 'service', Datacenters: ['*'],
        TaskGroups: [{
          Name: 'flaky', Count: 1, ReschedulePolicy: { Attempts: 1, Interval: 3600e9, Delay: 5e9, DelayFunction: 'constant', Unlimited: false },
          Tasks: [{ Name: 'flaky', Driver: 'docker', Config: { image: 'nginx:missing' }, Resources: { CPU: 100, MemoryMB: 64 } }],
        }],
      };
      // registered in-process, so the register bodies the service sent (checked below) are the service's own
      s.sim!.state.jobs.register(flaky, ns);
      const status = () => s.api('POST', '/api/claude/jobs', { job_id: 'flaky', action: 'status', namespace: ns });
      const r = await waitFor('flaky failed twice', async () => {
        const x = await status();
        return x.json.recent_allocations?.filter((a: any) => a.client_status === 'failed').length === 2 && x.json.status === 'dead' ? x : undefined;
      }, 20000);
      expect(r.json.allocations).toMatchObject({ failed: 1, running: 0 });
      expect(r.json.message).toMatch(/; allocations: 1 failed of 1 desired; 1 earlier allocation failed;/);
      await s.api('POST', '/api/claude/jobs', { job_id: 'flaky', action: 'stop', namespace: ns, purge: true });
    });

    it('answers 404 with the job and namespace when the job does not exist', async () => {
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'no-such-job', action: 'status', namespace: ns });
      expect(r.status).toBe(404);
      expect(r.json).toEqual({
        statusCode: 404, error: 'Not Found', message: "job 'no-such-job' not found in namespace 'development'",
        next_step: 'Call list_jobs with namespace \'development\' to see the jobs there (or namespace "*" for all).',
      });
    });

    it('stop, start, restart and stop with purge: each says what happened', async () => {
      const create = await s.api('POST', '/api/claude/create-job', { job_id: 'cycle', docker_image: 'nginx:1.27', count: 2, namespace: ns });
      expect(create.json.created).toBe(true);
      await waitFor('cycle running', async () => (await s.nomad('GET', '/v1/job/cycle/deployment?namespace=development')).json?.Status === 'successful');

      const stop = await s.api('POST', '/api/claude/jobs', { job_id: 'cycle', action: 'stop', namespace: ns });
      expect(stop.status).toBe(200);
      expect(stop.json).toMatchObject({ action: 'stop', purged: false });
      expect(stop.json.eval_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(stop.json.affected_allocations).toHaveLength(2);
      expect(stop.json.message).toMatch(/^Stopped job 'cycle': 2 allocations will be stopped/);
      expect(s.nomadTraffic).toContain('DELETE /v1/job/cycle?namespace=development&purge=false');
      expect((await s.nomad('GET', '/v1/job/cycle?namespace=development')).json.Stop).toBe(true);
      // stopping it again changes nothing, and asks Nomad for no new evaluation
      const from = s.nomadTraffic.length;
      const again = await s.api('POST', '/api/claude/jobs', { job_id: 'cycle', action: 'stop', namespace: ns });
      expect(again.json).toMatchObject({ action: 'stop', eval_id: null, affected_allocations: [], message: expect.stringMatching(/^Job 'cycle' is already stopped \(\w+\); nothing changed\. Use start_job/) });
      expect(s.nomadTraffic.slice(from).filter((l) => l.startsWith('DELETE'))).toEqual([]);

      const restartDead = await s.api('POST', '/api/claude/jobs', { job_id: 'cycle', action: 'restart', namespace: ns });
      expect(restartDead.json.message).toMatch(/was stopped, so it was started instead of restarted/);
      expect(restartDead.json.eval_id).toMatch(/^[0-9a-f-]{36}$/);
      const nomadJob = await s.nomad('GET', '/v1/job/cycle?namespace=development');
      expect(nomadJob.json).toMatchObject({ Stop: false, Version: 2 });

      const startAgain = await s.api('POST', '/api/claude/jobs', { job_id: 'cycle', action: 'start', namespace: ns });
      expect(startAgain.json.message).toMatch(/already (running|pending); nothing to start/);

      await waitFor('cycle deployed again', async () => (await s.nomad('GET', '/v1/job/cycle/deployment?namespace=development')).json?.Status === 'successful');
      const restart = await s.api('POST', '/api/claude/jobs', { job_id: 'cycle', action: 'restart', namespace: ns });
      expect(restart.status).toBe(200);
      expect(restart.json.affected_allocations).toHaveLength(2);
      expect(restart.json.message).toMatch(/^Restarted 2 running allocations of job 'cycle' one after another/);
      const restarts = s.nomadTraffic.filter((l) => /^PUT \/v1\/client\/allocation\/[0-9a-f-]{36}\/restart$/.test(l));
      expect(restarts.length).toBeGreaterThanOrEqual(2);
      for (const id of restart.json.affected_allocations) {
        const a = await s.nomad('GET', `/v1/allocation/${id}`);
        expect(a.json.TaskStates.nginx.Restarts).toBe(1);
      }

      const purge = await s.api('POST', '/api/claude/jobs', { job_id: 'cycle', action: 'stop', namespace: ns, purge: true });
      expect(purge.json.message).toMatch(/^Stopped and purged job 'cycle'/);
      expect((await s.nomad('GET', '/v1/job/cycle?namespace=development')).status).toBe(404);
    });

    it('refuses to restart during a deployment, as nomad job restart does', async () => {
      await s.api('POST', '/api/claude/create-job', { job_id: 'deploying', docker_image: 'nginx:1.27', namespace: ns });
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'deploying', action: 'restart', namespace: ns });
      expect(r.status).toBe(409);
      expect(r.json.message).toMatch(/deployment in progress/);
      await s.api('POST', '/api/claude/jobs', { job_id: 'deploying', action: 'stop', namespace: ns, purge: true });
    });

    it('answers malformed and oversized bodies with 4xx, not 500', async () => {
      const bad = await fetch(`${s.url}/api/claude/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"job_id": x' });
      expect(bad.status).toBe(400);
      const huge = await s.api('POST', '/api/claude/jobs', { job_id: 'x'.repeat(200_000), action: 'status' });
      expect(huge.status).toBe(413);
      expect(huge.json).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });

    it('rejects bad input with each field and reason', async () => {
      const r = await s.api('POST', '/api/claude/jobs', { job_id: 'a b', action: 'explode', purge: 'yes', extra: 1 });
      expect(r.status).toBe(400);
      const fields = r.json.errors.map((e: any) => e.field).sort();
      expect(fields).toEqual(['action', 'extra', 'job_id', 'purge']);
      expect(r.json.message).toMatch(/job_id: job_id must not be empty, '.' or '..', nor contain whitespace/);
      expect(r.json.message).toMatch(/action: action must be one of: status, start, stop, restart/);
    });
  });

  describe('POST /api/claude/create-job', () => {

    it('refuses to change the type of a job it created (Nomad would refuse it too), saying how to update it', async () => {
      expect((await s.api('POST', '/api/claude/create-job', { job_id: 'everywhere', docker_image: 'nginx:1.27', type: 'system', namespace: ns })).status).toBe(201);
      const before = s.nomadTraffic.length;
      const again = await s.api('POST', '/api/claude/create-job', { job_id: 'everywhere', docker_image: 'nginx:1.28', namespace: ns });
      expect(again.status).toBe(409);
      expect(again.json.message).toBe("job 'everywhere' is a system job, and Nomad does not change a job's type (this call would make it service); nothing was registered.");
      expect(again.json.next_step).toMatch(/^Call create_job again with type 'system' to update it/);
      expect(s.nomadTraffic.slice(before).filter((l) => !l.startsWith('GET '))).toEqual([]);
      expect((await s.api('POST', '/api/claude/create-job', { job_id: 'everywhere', docker_image: 'nginx:1.28', type: 'system', namespace: ns })).status).toBe(200);
    });
    const published = {
      job_id: 'test-nginx', name: 'Test Nginx', type: 'service', datacenters: ['dc1'], namespace: 'development',
      docker_image: 'nginx:latest', count: 1, cpu: 200, memory: 256,
      ports: [{ Label: 'http', Value: 0, To: 80 }], env_vars: { NGINX_PORT: '80' },
    };

    it('builds and registers a docker job from the published body, then updates it', async () => {
      const r = await s.api('POST', '/api/claude/create-job', published);
      expect(r.status).toBe(201);
      expect(r.json).toMatchObject({ job_id: 'test-nginx', namespace: ns, created: true, version: 0 });
      expect(r.json.eval_id).toMatch(/^[0-9a-f-]{36}$/);
      const job = (await s.nomad('GET', '/v1/job/test-nginx?namespace=development')).json;
      expect(job).toMatchObject({ Name: 'Test Nginx', Type: 'service', Datacenters: ['dc1'] });
      const group = job.TaskGroups[0];
      expect(group.Count).toBe(1);
      expect(group.Networks[0].DynamicPorts).toEqual([expect.objectContaining({ Label: 'http', Value: 0, To: 80 })]);
      const task = group.Tasks[0];
      expect(task).toMatchObject({ Name: 'nginx', Driver: 'docker', Env: { NGINX_PORT: '80' }, Config: { image: 'nginx:latest', ports: ['http'] } });
      expect(task.Resources).toMatchObject({ CPU: 200, MemoryMB: 256 });

      const again = await s.api('POST', '/api/claude/create-job', published);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ created: false, version: 0 });
      expect(again.json.message).toMatch(/already had this spec/);

      const changed = await s.api('POST', '/api/claude/create-job', { ...published, memory: 512, ports: [{ label: 'http', value: 8080, to: 80 }] });
      expect(changed.json).toMatchObject({ created: false, version: 1 });
      const v1 = (await s.nomad('GET', '/v1/job/test-nginx?namespace=development')).json;
      expect(v1.TaskGroups[0].Networks[0].ReservedPorts).toEqual([expect.objectContaining({ Label: 'http', Value: 8080, To: 80 })]);
      await s.api('POST', '/api/claude/jobs', { job_id: 'test-nginx', action: 'stop', purge: true });
    });

    it("refuses to replace a job it did not create (the seeded example-job), and says why", async () => {
      const before = (await s.nomad('GET', '/v1/job/example-job?namespace=development')).json;
      const r = await s.api('POST', '/api/claude/create-job', { job_id: 'example-job', docker_image: 'busybox:1.36' });
      expect(r.status).toBe(409);
      expect(r.json.message).toMatch(/^job 'example-job' already exists in namespace 'development' and was not created by nomad-mcp/);
      const after = (await s.nomad('GET', '/v1/job/example-job?namespace=development')).json;
      expect(after.Version).toBe(before.Version);
      expect(after.TaskGroups[0].Tasks[0].Config.image).toBe('nginx:1.27');
    });

    it('fills in sensible defaults', async () => {
      const r = await s.api('POST', '/api/claude/create-job', { job_id: 'minimal', docker_image: 'redis:7' });
      expect(r.status).toBe(201);
      const job = (await s.nomad('GET', '/v1/job/minimal?namespace=development')).json;
      expect(job).toMatchObject({ Name: 'minimal', Type: 'service', Datacenters: ['*'], Namespace: 'development' });
      expect(job.TaskGroups[0].Tasks[0]).toMatchObject({ Name: 'redis', Env: null, Resources: expect.objectContaining({ CPU: 100, MemoryMB: 128 }) });
      await s.api('POST', '/api/claude/jobs', { job_id: 'minimal', action: 'stop', purge: true });
    });

    it('validates at least as strictly as Nomad, naming each field, and sends Nomad nothing', async () => {
      const before = s.nomadTraffic.length;
      const r = await s.api('POST', '/api/claude/create-job', {
        job_id: '', docker_image: 'not an image', count: 0, cpu: -1, memory: 5, type: 'daemon',
        ports: [{ Label: 'bad label', Value: 70000 }], env_vars: { '1BAD': 'x' },
      });
      expect(r.status).toBe(400);
      const fields = r.json.errors.map((e: any) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['job_id', 'docker_image', 'count', 'cpu', 'memory', 'type', 'ports[0].Label', 'ports[0].Value', 'env_vars']));
      const missing = await s.api('POST', '/api/claude/create-job', { job_id: 'x' });
      expect(missing.json.message).toMatch(/docker_image/);
      expect(missing.status).toBe(400);
      expect(s.nomadTraffic.slice(before)).toEqual([]);
    });

    it('refuses two ports with one label, or one static host port twice, as Nomad would, before asking it', async () => {
      const before = s.nomadTraffic.length;
      const label = await s.api('POST', '/api/claude/create-job', { job_id: 'ports-twice', docker_image: 'nginx:1.27', ports: [{ Label: 'http', Value: 80, To: 80 }, { Label: 'http', Value: 0, To: 81 }] });
      expect(label.status).toBe(400);
      expect(label.json.errors).toEqual([{ field: 'ports', reasons: ["ports[1].Label 'http' is already the label of ports[0]; give each port its own label"] }]);
      const value = await s.api('POST', '/api/claude/create-job', { job_id: 'ports-twice', docker_image: 'nginx:1.27', ports: [{ Label: 'a', Value: 8080 }, { Label: 'b', Value: 8080 }] });
      expect(value.status).toBe(400);
      expect(value.json.message).toMatch(/ports\[1\]\.Value: static port 8080 is already reserved by ports\[0\]/);
      expect(s.nomadTraffic.slice(before)).toEqual([]);
    });

    it('turns Nomad\'s 500 for a nonexistent namespace into a 404 that says what to do', async () => {
      const r = await s.api('POST', '/api/claude/create-job', { job_id: 'nowhere', docker_image: 'nginx:1.27', namespace: 'no-such-namespace' });
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ message: "namespace 'no-such-namespace' does not exist in Nomad", next_step: expect.stringMatching(/DEFAULT_NAMESPACE/) });
      expect(s.nomadTraffic).toContain('PUT /v1/jobs?namespace=no-such-namespace');
    });
  });

  describe('GET /api/claude/job-logs/{job_id}', () => {
    it('tails stdout and stderr of the latest allocation and says where they came from', async () => {
      const r = await s.api('GET', '/api/claude/job-logs/example-job?namespace=development');
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ job_id: 'example-job', task: 'nginx', tasks: ['nginx'], client_status: 'running' });
      expect(r.json.alloc_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.json.stdout.lines.join('\n')).toMatch(/Configuration complete; ready for start up/);
      expect(r.json.stderr.lines[0]).toMatch(/\[notice\] 1#1: /);
      expect(r.json.message).toMatch(/^Last \d+ stdout and \d+ stderr lines of task 'nginx' in allocation [0-9a-f]{8} \(example-job\.web\[\d\], running\)\.$/);
      const reads = s.nomadTraffic.filter((l) => l.startsWith(`GET /v1/client/fs/logs/${r.json.alloc_id}`));
      expect(reads.length).toBeGreaterThanOrEqual(2);
      for (const l of reads) expect(l).toMatch(/origin=end&offset=\d+&plain=true&follow=false/);
    });

    it('honours lines, type, task and alloc_id', async () => {
      await waitFor('enough lines', async () => (await s.api('GET', '/api/claude/job-logs/example-job?type=stdout&lines=12')).json.stdout.lines.length === 12);
      const r = await s.api('GET', '/api/claude/job-logs/example-job?type=stdout&lines=8&task=nginx');
      expect(r.json.stdout.lines).toHaveLength(8);
      expect(r.json.stdout.truncated).toBe(true);
      expect(r.json.stderr).toBeUndefined();
      const prefix = r.json.alloc_id.slice(0, 8);
      const byAlloc = await s.api('GET', `/api/claude/job-logs/example-job?alloc_id=${prefix}&type=stderr&lines=2`);
      expect(byAlloc.json.alloc_id).toBe(r.json.alloc_id);
      expect(byAlloc.json.stderr.lines).toHaveLength(2);
      const badTask = await s.api('GET', '/api/claude/job-logs/example-job?task=php');
      expect(badTask.status).toBe(400);
      expect(badTask.json.message).toBe("task 'php' is not part of the allocation; its tasks are: nginx");
      const badLines = await s.api('GET', '/api/claude/job-logs/example-job?lines=0');
      expect(badLines.status).toBe(400);
      expect(badLines.json.errors[0].field).toBe('lines');
      const otherAlloc = await s.api('GET', '/api/claude/job-logs/example-job?alloc_id=ffffffff');
      expect(otherAlloc.status).toBe(404);
    });

    it('says plainly when the task never started (image pull failure)', async () => {
      const r = await s.api('GET', '/api/claude/job-logs/broken-api?namespace=development');
      expect(r.status).toBe(200);
      expect(r.json.stdout).toEqual({ lines: [], truncated: false, note: 'task has not started yet; no logs' });
      // why, not just "not started": the cause (the pull failure), and where to look next
      expect(r.json.message).toMatch(/^Task 'api' of allocation [0-9a-f]{8} \(failed\) never started, so it has no logs: Driver Failure: failed to create container: Failed to pull `registry\.example\.com\/team\/api:missing`.* Call get_job_status for the full diagnosis\.$/);
    });

    it('answers 404 for an unknown job', async () => {
      const r = await s.api('GET', '/api/claude/job-logs/nope-nope?namespace=development');
      expect(r.status).toBe(404);
      expect(r.json.message).toBe("job 'nope-nope' not found in namespace 'development'");
    });
  });

  describe('what the service sends to Nomad', () => {
    it("registers jobs with bodies that match the spec's JobRegisterRequest", async () => {
      await s.api('POST', '/api/claude/create-job', { job_id: 'shape-check', docker_image: 'nginx:1.27', ports: [{ Label: 'http', Value: 8080 }], env_vars: { A: '1' } });
      await s.api('POST', '/api/claude/jobs', { job_id: 'shape-check', action: 'stop' });
      await s.api('POST', '/api/claude/jobs', { job_id: 'shape-check', action: 'start' });
      const registers = s.nomadBodies.filter((b) => b.line.startsWith('PUT /v1/jobs?'));
      expect(registers.length).toBeGreaterThanOrEqual(2);
      for (const r of registers) {
        expect(requestErrors('POST', '/jobs', r.body)).toEqual([]);
        expect(Object.keys(r.body as object)).toEqual(['Job', 'EnforceIndex', 'JobModifyIndex']);
        expect((r.body as any).EnforceIndex).toBe(true);
      }
      // a new job is registered "only if new"; a restart of a stopped one only if unchanged since read
      expect((registers[registers.length - 2].body as any).JobModifyIndex).toBe(0);
      expect((registers[registers.length - 1].body as any).JobModifyIndex).toBeGreaterThan(0);
      const restarts = s.nomadBodies.filter((b) => /\/restart$/.test(b.line));
      for (const r of restarts) expect(r.body).toEqual({ TaskName: '' });
      await s.api('POST', '/api/claude/jobs', { job_id: 'shape-check', action: 'stop', purge: true });
    });
  });

  describe('hostile job IDs never reach another Nomad URL', () => {
    // (IDs with '..' parts between slashes are refused before Nomad: see below)
    const hostile = ['v1/acl/tokens', 'x?y=z', 'a/v1/agent/self', '%2e%2e', '..%2F..%2Fv1', 'job#frag'];

    it.each(hostile)('status of %p goes to /v1/job/<encoded id> only', async (id) => {
      const before = s.nomadTraffic.length;
      const r = await s.api('POST', '/api/claude/jobs', { job_id: id, action: 'status', namespace: ns });
      expect(r.status).toBe(404);
      expect(r.json.message).toBe(`job '${id}' not found in namespace '${ns}'`);
      const traffic = s.nomadTraffic.slice(before);
      // the job, then (job not found) whether the namespace itself exists: fixed paths, nothing from the ID
      expect(traffic).toEqual([`GET /v1/job/${encodeURIComponent(id)}?namespace=development`, 'GET /v1/namespace/development']);
    });

    it.each(hostile)('logs of %p (sent encoded in the path) go to /v1/job/<encoded id> only', async (id) => {
      const before = s.nomadTraffic.length;
      const r = await s.api('GET', `/api/claude/job-logs/${encodeURIComponent(id)}?namespace=development`);
      expect(r.status).toBe(404);
      const traffic = s.nomadTraffic.slice(before);
      expect(traffic.every((l) => (l.startsWith('GET /v1/job/') || l === 'GET /v1/namespace/development') && !l.includes('/v1/acl') && !l.includes('/v1/agent'))).toBe(true);
    });

    it('rejects "a b" and control characters before any Nomad call', async () => {
      const before = s.nomadTraffic.length;
      for (const id of ['a b', 'tab\there', 'nul\u0000x', '..', '.', '../v1/acl/tokens', 'a/../../v1/agent/self', 'a//b']) {
        const r = await s.api('POST', '/api/claude/jobs', { job_id: id, action: 'status' });
        expect(r.status).toBe(400);
        expect(r.json.errors[0].field).toBe('job_id');
      }
      const logs = await s.api('GET', `/api/claude/job-logs/${encodeURIComponent('a b')}`);
      expect(logs.status).toBe(400);
      expect(s.nomadTraffic.length).toBe(before);
    });
  });

  describe('health and docs', () => {
    it('reports Nomad up with its leader', async () => {
      const r = await s.api('GET', '/health');
      expect(r.status).toBe(200);
      expect(r.json.status).toBe('ok');
      expect(r.json.info.nomad).toMatchObject({ status: 'up', address: s.sim!.url });
      expect(r.json.info.nomad.leader).toMatch(/:4647$/);
    });

    it('serves Swagger UI and the OpenAPI JSON with the API key scheme', async () => {
      const ui = await s.api('GET', '/api/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
      const doc = await s.api('GET', '/api/docs-json');
      expect(doc.json.components.securitySchemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
      expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/api/claude/list-jobs', '/api/claude/jobs', '/api/claude/create-job', '/api/claude/job-logs/{job_id}', '/health']));
      const create = doc.json.components.schemas.CreateJobDto;
      expect(create.required).toEqual(expect.arrayContaining(['job_id', 'docker_image']));
      expect(create.properties.memory).toMatchObject({ minimum: 10, description: expect.stringMatching(/Memory to reserve/) });
    });
  });
});
