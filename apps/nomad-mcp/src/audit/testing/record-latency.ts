/*
 * Measures record() latency (p50/p99 over 1000 sequential records) on a temporary SQLite file and on a schema of
 * its own in the test Postgres (both removed after). Not a test: numbers for humans, e.g. before a release.
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register apps/nomad-mcp/src/audit/testing/record-latency.ts
 */
import { AuditStore } from '../audit.store';
import { postgresDatabase, SKIP_POSTGRES, sqliteDatabase, TestDatabase } from './audit-test-databases';

const COUNT = 1000;

async function measure(name: string, db: TestDatabase): Promise<void> {
  const store = new AuditStore(db.options);
  try {
    await store.open();
    const times: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const start = process.hrtime.bigint();
      await store.record({
        identity: 'bench', transport: 'mcp', operation: 'create_job', namespace: 'default', job: `job-${i}`,
        arguments: { job_id: `job-${i}`, docker_image: 'nginx:1.27', env_vars: { A: 'secret' } }, outcome: 'ok', status: 201, eval_id: 'e', duration_ms: 5, error: null,
      });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)].toFixed(2);
    process.stdout.write(`${name}: record() over ${COUNT}: p50 ${at(50)} ms, p99 ${at(99)} ms, max ${times[times.length - 1].toFixed(2)} ms\n`);
  } finally {
    await store.close();
    await db.drop();
  }
}

async function main(): Promise<void> {
  await measure('SQLite (WAL, synchronous=FULL)', sqliteDatabase());
  if (!SKIP_POSTGRES) await measure('Postgres', await postgresDatabase());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
