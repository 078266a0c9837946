#!/usr/bin/env node
/**
 * `npm run bench`: issue 11's targets, measured side by side in one run over real sockets, on the built code.
 *   P1  read overhead: list-jobs via the service vs GET /v1/jobs on the simulator (200 and 2,000 jobs, same
 *       concurrency), get_job_status vs the Nomad reads it replaces; and a baseline row (bare node:http)
 *   P1b Nomad requests per 1,000 list/status calls, cache on (NOMAD_MCP_CACHE_MAX_STALE, default 1s) and off (0)
 *   P3  logs: tail of a 1 GB log, memory over 20 calls; following logs with flat memory
 *   P4  scale: 10,000 jobs registered, first page, RSS under 16 concurrent lists (REST, MCP), start-up, idle RSS
 * Knobs: BENCH_SECONDS (per load row, default 5), BENCH_CONCURRENCY (16), BENCH_FOLLOW_SECONDS (60),
 * BENCH_SCALE_JOBS (10000), BENCH_ONLY (e.g. "p1,p4"), BENCH_SERVICE_MAIN (another build's bin/nomad-mcp.js or main.js to measure). Prints a table; writes .bench/results-<time>.json,
 * .bench/latest.json and .bench/latest.md (the table as Markdown, for the README). Exits 1 when a target is missed.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { killAll, root, startSim } = require('./procs');
const { runP1 } = require('./p1-read-overhead');
const { runP3 } = require('./p3-logs');
const { runP4 } = require('./p4-scale');

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const only = (process.env.BENCH_ONLY ?? 'p1,p3,p4').toLowerCase().split(',').map((s) => s.trim());
const results = [];

function record(name, value, unit, target, ok, detail = '') {
  const row = { name, value: Number(value.toFixed(2)), unit, target, ok, detail };
  results.push(row);
  const mark = ok === null ? 'info' : ok ? 'PASS' : 'FAIL';
  process.stdout.write(`${mark.padEnd(5)} ${name.padEnd(58)} ${value.toFixed(value < 10 ? 2 : 0).padStart(8)} ${unit.padEnd(4)} ${target.padEnd(7)} ${detail}\n`);
}

function markdown(meta) {
  const lines = [
    `Nomad MCP bench, ${meta.at} (node ${meta.node}, ${meta.cpus} CPUs, load average ${meta.loadavg}; ${meta.seconds} s per load row, ${meta.concurrency} concurrent)`,
    '',
    '| result | measure | value | target | detail |',
    '| --- | --- | ---: | --- | --- |',
    ...results.map((r) => `| ${r.ok === null ? 'info' : r.ok ? 'PASS' : 'FAIL'} | ${r.name} | ${r.value} ${r.unit} | ${r.target} | ${r.detail.replace(/\|/g, '/')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

async function main() {
  const seconds = num('BENCH_SECONDS', 5);
  const conc = num('BENCH_CONCURRENCY', 16);
  const followSeconds = num('BENCH_FOLLOW_SECONDS', 60);
  const scaleJobs = num('BENCH_SCALE_JOBS', 10000);
  const meta = {
    at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => l.toFixed(1)).join(' '),
    seconds, concurrency: conc, followSeconds, scaleJobs,
  };
  process.stdout.write(`Nomad MCP bench (node ${meta.node}, ${meta.cpus} CPUs, load ${meta.loadavg}; ${seconds} s per load row, ${conc} concurrent)\n\n`);
  const dir = mkdtempSync(join(os.tmpdir(), 'nomad-mcp-bench-'));
  const t0 = Date.now();
  try {
    // each part on a simulator of its own: P1 at 200 and 2,000 jobs is not measured beside 10,000 others
    for (const [name, run] of [['p1', runP1], ['p3', runP3], ['p4', runP4]]) {
      if (!only.includes(name)) continue;
      const sim = await startSim({ nodes: 20 });
      const env = { NOMAD_ADDR: sim.url, API_KEYS: 'bench-key-0123456789', AUDIT_DB_PATH: join(dir, `audit-${name}.sqlite3`) };
      try {
        await run({ sim, env, conc, seconds, followSeconds, scaleJobs, record });
      } finally {
        sim.stop();
      }
    }
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
  meta.totalSeconds = Math.round((Date.now() - t0) / 1000);
  const out = join(root, '.bench');
  mkdirSync(out, { recursive: true });
  const json = JSON.stringify({ ...meta, results }, null, 2);
  writeFileSync(join(out, `results-${meta.at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(out, 'latest.json'), json);
  writeFileSync(join(out, 'latest.md'), markdown(meta));
  const failed = results.filter((r) => r.ok === false);
  process.stdout.write(`\n${results.filter((r) => r.ok).length} passed, ${failed.length} failed, ${results.filter((r) => r.ok === null).length} for information; ${meta.totalSeconds} s. Results: .bench/latest.json, .bench/latest.md\n`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    killAll();
    process.stderr.write(`bench: ${err.stack}\n`);
    process.exit(1);
  },
);
