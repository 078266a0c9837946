/**
 * P1 (read overhead), P1b (Nomad load) and the baseline: list-jobs through the service against GET /v1/jobs on
 * the simulator directly at the same concurrency, get_job_status against the Nomad reads it replaces, and the
 * simulator's request counter for the Nomad requests per 1,000 calls, cache on and off.
 */
const { request, startBaseline, startService } = require('./procs');
const { load } = require('./load');
const { seedJobs, waitSettled } = require('./seed');

const ok200 = (url, headers) => async () => (await request(url, { headers })).status === 200;

/** Nomad requests the service made per 1,000 calls of `call` (the cache's own watch traffic included). */
async function nomadPer1000(sim, call, calls = 1000) {
  const before = await sim.count();
  for (let i = 0; i < calls; i++) if (!(await call())) throw new Error('call failed while counting Nomad requests');
  return ((await sim.count()) - before) * (1000 / calls);
}

async function runP1(ctx) {
  const { sim, env, conc, seconds, record } = ctx;
  const key = { 'X-API-Key': env.API_KEYS };
  const svc = await startService({ ...env, NOMAD_MCP_CACHE_MAX_STALE: process.env.NOMAD_MCP_CACHE_MAX_STALE ?? '1s' });
  const off = await startService({ ...env, NOMAD_MCP_CACHE_MAX_STALE: '0' });
  try {
    for (const [ns, n] of [['bench-200', 200], ['bench-2k', 2000]]) {
      await seedJobs(sim.url, ns, n, { prefix: 'p1' });
      // measured on a quiet cluster, as both sides of the ratio should be: not while the new jobs start
      await waitSettled(sim.url);
      const direct = await load(ok200(`${sim.url}/v1/jobs?namespace=${ns}`), { concurrency: conc, seconds });
      const service = await load(ok200(`${svc.url}/api/claude/list-jobs?namespace=${ns}`, key), { concurrency: conc, seconds });
      const ratio = service.rps / direct.rps;
      const added = service.p99 - direct.p99;
      record(`P1 list-jobs @${n} jobs: service / simulator req/s`, ratio, 'x', '>= 1.0', ratio >= 1.0,
        `service ${service.rps.toFixed(0)} req/s p50 ${service.p50.toFixed(1)} p99 ${service.p99.toFixed(1)} ms; simulator ${direct.rps.toFixed(0)} req/s p50 ${direct.p50.toFixed(1)} p99 ${direct.p99.toFixed(1)} ms${service.failed ? `; ${service.failed} failed: ${service.firstError ?? ''}` : ''}`);
      record(`P1 list-jobs @${n} jobs: p99 added`, added, 'ms', '<= 2', added <= 2);
      if (n === 200) {
        // the floor: the service's own answer served by bare node:http
        const answer = (await request(`${svc.url}/api/claude/list-jobs?namespace=${ns}`, { headers: key })).text;
        const bare = await startBaseline(answer);
        try {
          const base = await load(ok200(bare.url), { concurrency: conc, seconds });
          record('baseline: bare node:http, same answer @200 jobs', service.rps / base.rps, 'x', 'info', null,
            `service ${service.rps.toFixed(0)} req/s vs bare ${base.rps.toFixed(0)} req/s (p99 ${base.p99.toFixed(1)} ms); simulator ${direct.rps.toFixed(0)} req/s`);
        } finally {
          bare.stop();
        }
      }
    }

    // get_job_status against the reads it replaces, made directly and in parallel as the service makes them
    const job = 'p1-00007';
    const statusUrl = (u) => `${u}/api/claude/jobs/${job}?namespace=bench-200`;
    await sim.paths();
    if ((await request(statusUrl(off.url), { headers: key })).status !== 200) throw new Error('get_job_status failed');
    const reads = (await sim.paths()).filter((p) => p.startsWith('GET /v1/') && p.includes(`/job/${job}`));
    const directReads = async () => {
      const rs = await Promise.all(reads.map((p) => request(`${sim.url}${p.slice(4)}?namespace=bench-200`)));
      return rs.every((r) => r.status === 200);
    };
    // three alternating rounds, the ratio of each pair, their median: one busy moment of a shared machine (the
    // load generator, simulator and service share its CPUs) does not decide the row
    const pairs = [];
    for (let round = 0; round < 3; round++) {
      const direct = await load(directReads, { concurrency: conc, seconds });
      const service = await load(ok200(statusUrl(svc.url), key), { concurrency: conc, seconds });
      pairs.push({ direct, service, ratio: service.rps / direct.rps });
    }
    const mid = [...pairs].sort((a, b) => a.ratio - b.ratio)[1];
    record(`P1 status vs its ${reads.length} direct Nomad reads (median of 3 rounds)`, mid.ratio, 'x', '>= 1.0', mid.ratio >= 1.0,
      `service ${mid.service.rps.toFixed(0)}/s p99 ${mid.service.p99.toFixed(1)} ms; direct ${mid.direct.rps.toFixed(0)}/s p99 ${mid.direct.p99.toFixed(1)} ms; rounds ${pairs.map((x) => x.ratio.toFixed(2)).join(', ')}; reads: ${reads.join(', ')}`);

    // P1b: what 1,000 calls cost Nomad, cache on (the default) and off
    for (const [name, s] of [['on', svc], ['off', off]]) {
      const list = await nomadPer1000(sim, ok200(`${s.url}/api/claude/list-jobs?namespace=bench-200`, key));
      const status = await nomadPer1000(sim, ok200(statusUrl(s.url), key));
      record(`P1b Nomad requests / 1,000 list-jobs, cache ${name}`, list, 'req', name === 'on' ? '<= 10' : 'info', name === 'on' ? list <= 10 : null);
      record(`P1b Nomad requests / 1,000 status, cache ${name}`, status, 'req', name === 'on' ? '<= 10' : 'info', name === 'on' ? status <= 10 : null);
    }
  } finally {
    svc.stop();
    off.stop();
  }
}

module.exports = { runP1 };
