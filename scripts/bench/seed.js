/** Jobs registered the way a real client registers them: PUT /v1/jobs over HTTP, `concurrency` at a time. */
const { request, sleep } = require('./procs');

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
    await sleep(100);
  }
  throw new Error(`${ns}/${job} never ran`);
}

/**
 * Waits until the cluster is quiet: the indexes of the jobs, allocations and deployments tables unchanged for
 * `quietMs` (the jobs just seeded have started and their deployments finished). A load row run while they
 * settle measures the settling — every read of a changing table goes to Nomad — not the read it is meant to.
 */
async function waitSettled(simUrl, { quietMs = 2000, timeoutMs = 90000 } = {}) {
  const indexes = async () => (await Promise.all(['jobs', 'allocations', 'deployments'].map(async (table) =>
    (await request(`${simUrl}/v1/${table}?namespace=*&per_page=1`)).headers['x-nomad-index']))).join(',');
  const deadline = Date.now() + timeoutMs;
  let last = await indexes();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`the cluster did not settle in ${timeoutMs / 1000} s (indexes ${last})`);
    await sleep(250);
    const now = await indexes();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

module.exports = { seedJobs, waitRunning, waitSettled, benchJob };
