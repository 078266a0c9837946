import type { SimState } from './state/sim-state';

/** Demo data: what a newcomer's first list-jobs should show (README "Demo data"). */
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
}
