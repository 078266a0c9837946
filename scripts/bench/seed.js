/** Jobs registered the way a real client registers them: PUT /v1/jobs over HTTP, `concurrency` at a time. */
const { request } = require('./procs');

function benchJob(ns, id) {
  return {
    Job: {
      ID: id, Namespace: ns, Type: 'service', Datacenters: ['dc1'], Meta: { owner: 'bench' },
      TaskGroups: [{ Name: 'web', Count: 1, Tasks: [{ Name: 'app', Driver: 'docker', Config: { image: 'nginx:1.27' }, Resources: { CPU: 5, MemoryMB: 10 } }] }],
    },
  };
}

/** Registers jobs `${prefix}-00000`… in namespace `ns` (created first); resolves with the milliseconds it took. */
async function seedJobs(simUrl, ns, count, { prefix = 'job', concurrency = 16 } = {}) {
  await request(`${simUrl}/v1/namespace/${ns}`, { method: 'PUT', body: { Name: ns } });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const id = `${prefix}-${String(next++).padStart(5, '0')}`;
      const r = await request(`${simUrl}/v1/jobs?namespace=${ns}`, { method: 'PUT', body: benchJob(ns, id) });
      if (r.status !== 200) throw new Error(`register ${id}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }));
  return performance.now() - t0;
}

/** Waits until the job has a running allocation; resolves with it. */
async function waitRunning(simUrl, ns, job, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await request(`${simUrl}/v1/job/${job}/allocations?namespace=${ns}`);
    const a = r.status === 200 && JSON.parse(r.text).find((x) => x.ClientStatus === 'running');
    if (a) return a;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${ns}/${job} never ran`);
}

module.exports = { seedJobs, waitRunning, benchJob };
