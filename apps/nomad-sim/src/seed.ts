import type { SimState } from './state/sim-state';

/**
 * Demo data: what a newcomer's first list-jobs should show (README "Demo data"), and in namespace `staging` one
 * job for each failure rule the simulator knows (README "The Nomad API simulator"), so every kind of problem
 * is there to find.
 */
export function seedDemo(state: SimState): void {
  state.store.upsertNamespace({ Name: 'development', Description: 'Development and staging workloads' });
  const docker = (image: string, extra: Record<string, unknown> = {}) => ({
    Name: 'app', Driver: 'docker', Config: { image, ports: ['http'] }, Resources: { CPU: 200, MemoryMB: 256 }, ...extra,
  });
  state.jobs.register(
    {
      ID: 'example-job', Name: 'example-job', Type: 'service', Datacenters: ['dc1'], Meta: { owner: 'platform' },
      TaskGroups: [{
        Name: 'web', Count: 2,
        Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 80 }] }],
        Tasks: [docker('nginx:1.27', { Name: 'nginx', Env: { NGINX_PORT: '80' } })],
      }],
    },
    'development',
  );
  state.jobs.register(
    {
      ID: 'nightly-report', Type: 'batch', Datacenters: ['dc1'],
      TaskGroups: [{ Name: 'report', Count: 1, Tasks: [{ Name: 'report', Driver: 'docker', Config: { image: 'busybox:1.36', command: 'sh', args: ['-c', 'echo done'] }, Resources: { CPU: 100, MemoryMB: 64 } }] }],
    },
    'development',
  );
  state.jobs.register(
    {
      ID: 'broken-api', Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{
        Name: 'api', Count: 1,
        Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }] }],
        // not rescheduled: the one failed allocation, and its failed deployment, stay as they are
        ReschedulePolicy: NO_RESCHEDULE,
        Tasks: [docker('registry.example.com/team/api:missing', { Name: 'api' })],
      }],
    },
    'development',
  );
  state.jobs.register(
    {
      ID: 'hello-world', Type: 'service', Datacenters: ['dc1'],
      TaskGroups: [{
        Name: 'hello', Count: 1,
        Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }] }],
        Tasks: [docker('hashicorp/http-echo:1.0', { Name: 'echo', Resources: { CPU: 100, MemoryMB: 64 } })],
      }],
    },
    'default',
  );
  seedStagedFailures(state);
}

/** A group that is never rescheduled: its failure stays put (Nomad's default for services reschedules forever). */
const NO_RESCHEDULE = { Attempts: 0, Unlimited: false };

function seedStagedFailures(state: SimState): void {
  state.store.upsertNamespace({ Name: 'staging', Description: 'Staged failures: one job for each way the simulator fails' });
  const service = (id: string, task: Record<string, unknown>, group: Record<string, unknown> = {}) => state.jobs.register({
    ID: id, Type: 'service', Datacenters: ['dc1'],
    TaskGroups: [{
      Name: 'app', Count: 1, Networks: [{ DynamicPorts: [{ Label: 'http', Value: 0, To: 8080 }] }], ReschedulePolicy: NO_RESCHEDULE, ...group,
      Tasks: [{ Name: 'app', Driver: 'docker', Config: { image: 'registry.example.com/team/app:2.3', ports: ['http'] }, Resources: { CPU: 100, MemoryMB: 128 }, ...task }],
    }],
  }, 'staging');
  // exits with code 1 shortly after every start: restarts per policy, then fails; rescheduled once (5 s later), the
  // replacement fails the same way, so the failed previous allocation's logs are there to read
  service('crash-loop', { Env: { NOMAD_SIM_EXIT_CODE: '1' } }, {
    ReschedulePolicy: { Attempts: 1, Interval: 3600e9, Delay: 5e9, DelayFunction: 'constant', MaxDelay: 0, Unlimited: false },
  });
  // killed by the kernel for memory: exit 137, "OOM Killed"
  service('memory-hog', { Env: { NOMAD_SIM_OOM: '1' }, Resources: { CPU: 100, MemoryMB: 64 } });
  // runs, but its health check never passes: the deployment fails at the healthy deadline
  service('unhealthy-web', { Env: { NOMAD_SIM_UNHEALTHY: '1' } }, {
    Services: [{ Name: 'unhealthy-web', PortLabel: 'http', Provider: 'nomad', Checks: [{ Name: 'alive', Type: 'http', Path: '/health', Interval: 10e9, Timeout: 2e9 }] }],
  });
  // a constraint no node satisfies: the evaluation blocks, the job stays pending
  service('windows-only', {}, { Constraints: [{ LTarget: '${attr.kernel.name}', RTarget: 'windows', Operand: '=' }] });
}
