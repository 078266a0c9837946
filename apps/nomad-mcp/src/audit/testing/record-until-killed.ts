/*
 * Child process of the durability spec: records entries one after another and prints "ack <id>" as soon as each
 * record() has resolved. The spec kills it with SIGKILL mid-way; every id it printed must then be in the trail.
 * Run with ts-node: AUDIT_CHILD_OPTIONS='{"dbPath":…}' node -r ts-node/register/transpile-only record-until-killed.ts <count>
 */
import { AuditStore } from '../audit.store';

async function main(): Promise<void> {
  const store = new AuditStore(JSON.parse(process.env.AUDIT_CHILD_OPTIONS ?? '{}'));
  await store.open();
  process.stdout.write('ready\n');
  const count = Number(process.argv[2] ?? 100000);
  for (let i = 0; i < count; i++) {
    const id = `durable-${process.pid}-${i}`;
    await store.record({
      id, identity: 'durability', transport: 'rest', operation: 'create_job', namespace: 'default', job: `job-${i}`,
      arguments: { job_id: `job-${i}` }, outcome: 'ok', status: 201, eval_id: null, duration_ms: 1, error: null,
    });
    process.stdout.write(`ack ${id}\n`);
  }
  await store.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
