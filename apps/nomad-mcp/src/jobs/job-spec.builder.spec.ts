import { plainToInstance } from 'class-transformer';
import { CreateJobDto } from './dto/create-job.dto';
import { buildDockerJob, imageBaseName } from './job-spec.builder';

const dto = (plain: Record<string, unknown>) => plainToInstance(CreateJobDto, plain);

describe('buildDockerJob', () => {
  it('maps Value 0 to a dynamic port and Value > 0 to a static one, To into the container', () => {
    const job = buildDockerJob(dto({ job_id: 'web', docker_image: 'nginx:1.27', ports: [{ Label: 'http', Value: 0, To: 80 }, { label: 'admin', value: 9090 }] }), 'dev');
    const net = job.TaskGroups![0].Networks![0];
    expect(net.DynamicPorts).toEqual([{ Label: 'http', Value: 0, To: 80 }]);
    expect(net.ReservedPorts).toEqual([{ Label: 'admin', Value: 9090, To: 9090 }]);
    expect(job.TaskGroups![0].Tasks[0].Config).toEqual({ image: 'nginx:1.27', ports: ['http', 'admin'] });
  });

  it('names the group after the job and the task after the image, with defaults', () => {
    const job = buildDockerJob(dto({ job_id: 'team/api', docker_image: 'ghcr.io/org/api-server:2.1@sha256:abc' }), 'dev');
    expect(job).toMatchObject({ ID: 'team/api', Name: 'team/api', Namespace: 'dev', Type: 'service', Datacenters: ['*'] });
    expect(job.TaskGroups![0]).toMatchObject({ Name: 'team-api', Count: 1, Networks: null });
    expect(job.TaskGroups![0].Tasks[0]).toMatchObject({ Name: 'api-server', Driver: 'docker', Env: null, Resources: { CPU: 100, MemoryMB: 128 } });
  });

  it('runs one instance per node for system jobs', () => {
    expect(buildDockerJob(dto({ job_id: 'agent', docker_image: 'agent:1', type: 'system', count: 5 }), 'ops').TaskGroups![0].Count).toBe(1);
  });

  it('derives image base names', () => {
    expect(imageBaseName('nginx')).toBe('nginx');
    expect(imageBaseName('registry:5000/team/app:1.0')).toBe('app');
  });
});
