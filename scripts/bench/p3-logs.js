/**
 * P3 logs: the last 100 lines of a 1 GB log through the service (median latency, service RSS growth over 20
 * calls), and following logs for BENCH_FOLLOW_SECONDS (default 60) with flat memory: through the service
 * (follow_job_logs), and the simulator streaming a 1 GB log from its start as fast as the socket takes it.
 */
const http = require('node:http');
const { request, rssMb, sleep, startService } = require('./procs');
const { median } = require('./load');
const { benchJob, waitRunning } = require('./seed');

async function logJob(sim, ns, id, size) {
  const body = benchJob(ns, id);
  body.Job.TaskGroups[0].Tasks[0].Env = { NOMAD_SIM_LOG_BYTES: size };
  const r = await request(`${sim.url}/v1/jobs?namespace=${ns}`, { method: 'PUT', body });
  if (r.status !== 200) throw new Error(`register ${id}: ${r.text}`);
  return waitRunning(sim.url, ns, id);
}

/** Samples a process's RSS every second while `work` runs; resolves with the samples (MB). */
async function sampleRss(pid, work) {
  const samples = [rssMb(pid)];
  const timer = setInterval(() => samples.push(rssMb(pid)), 1000);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  samples.push(rssMb(pid));
  return samples;
}

/** Flat: after the first few seconds' buffers, how far RSS grows above where it then was (a fall is not growth). */
const drift = (samples) => {
  const steady = samples.slice(Math.min(5, Math.floor(samples.length / 3)));
  return Math.max(0, Math.max(...steady) - steady[0]);
};

async function runP3(ctx) {
  const { sim, env, record, followSeconds } = ctx;
  const key = { 'X-API-Key': env.API_KEYS };
  const ns = 'bench-logs';
  await request(`${sim.url}/v1/namespace/${ns}`, { method: 'PUT', body: { Name: ns } });
  const giga = await logJob(sim, ns, 'gigalog', '1GB');
  const svc = await startService(env);
  try {
    const tail = () => request(`${svc.url}/api/claude/job-logs/gigalog?namespace=${ns}&type=stdout&lines=100`, { headers: key });
    for (let i = 0; i < 3; i++) await tail();
    const before = rssMb(svc.pid);
    const times = [];
    for (let i = 0; i < 20; i++) {
      const r = await tail();
      const lines = r.status === 200 ? JSON.parse(r.text).stdout?.lines?.length : 0;
      if (lines !== 100) throw new Error(`job-logs answered ${r.status} with ${lines} lines: ${r.text.slice(0, 300)}`);
      times.push(r.ms);
    }
    const growth = rssMb(svc.pid) - before;
    record('P3 tail 100 lines of a 1 GB log (median of 20)', median(times), 'ms', '< 50', median(times) < 50, `worst ${Math.max(...times).toFixed(1)} ms`);
    record('P3 service RSS growth over those 20 calls', growth, 'MB', '< 20', growth < 20);

    // follow through the service: one long follow_job_logs call
    const follow = await logJob(sim, ns, 'followed', '1MB');
    const url = `${svc.url}/api/claude/jobs/followed/logs/follow?namespace=${ns}&seconds=${followSeconds}&max_lines=1000`;
    let answer;
    const svcSamples = await sampleRss(svc.pid, async () => (answer = await request(url, { headers: key, timeoutMs: (followSeconds + 30) * 1000 })));
    if (answer.status !== 200) throw new Error(`follow answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const got = JSON.parse(answer.text).lines?.length ?? 0;
    record(`P3 follow_job_logs ${followSeconds} s: service RSS drift`, drift(svcSamples), 'MB', '< 10', drift(svcSamples) < 10,
      `${got} lines; RSS ${svcSamples[0].toFixed(0)} -> ${svcSamples.at(-1).toFixed(0)} MB (alloc ${follow.ID.slice(0, 8)})`);

    // a fast log: the simulator streams a 1 GB log from its start, as fast as the reader takes it
    let bytes = 0;
    const simSamples = await sampleRss(sim.pid, () => new Promise((resolve) => {
      const req = http.get(`${sim.url}/v1/client/fs/logs/${giga.ID}?task=app&type=stdout&follow=true&origin=start&offset=0&plain=true`, (res) => res.on('data', (c) => (bytes += c.length)));
      req.on('error', () => undefined);
      setTimeout(() => {
        req.destroy();
        resolve();
      }, followSeconds * 1000);
    }));
    record(`P3 fast log followed ${followSeconds} s: simulator RSS drift`, drift(simSamples), 'MB', '< 10', drift(simSamples) < 10,
      `${(bytes / 1024 / 1024).toFixed(0)} MB streamed; RSS ${simSamples[0].toFixed(0)} -> ${simSamples.at(-1).toFixed(0)} MB`);
  } finally {
    svc.stop();
  }
}

module.exports = { runP3, sleep };
