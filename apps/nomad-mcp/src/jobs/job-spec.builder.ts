import { NomadJob, NomadPort } from '@nomad-mcp/nomad';
import { CreateJobDto } from './dto/create-job.dto';

/** Meta key and value that mark a job as created (and so updatable) by create-job. */
export const CREATED_BY_META = { key: 'created-by', value: 'nomad-mcp' };

/** A Nomad-safe name (group, task) derived from free text: letters, digits, "-" and "_". */
function safeName(text: string, fallback: string): string {
  const s = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return s || fallback;
}

/** "ghcr.io/org/app:1.2@sha256:..." -> "app" */
export function imageBaseName(image: string): string {
  const withoutDigest = image.split('@')[0];
  const last = withoutDigest.split('/').pop() ?? withoutDigest;
  return last.split(':')[0];
}

/**
 * Builds the Nomad job for a short docker spec: one group named after the job, one docker task named
 * after the image. Port Value 0 asks for a dynamic host port, Value > 0 reserves a static one; To maps it
 * into the container and the docker task opts in to every label.
 */
export function buildDockerJob(dto: CreateJobDto, namespace: string): NomadJob {
  const ports = dto.ports ?? [];
  const dynamic: NomadPort[] = [];
  const reserved: NomadPort[] = [];
  for (const p of ports) {
    if (p.Value && p.Value > 0) reserved.push({ Label: p.Label, Value: p.Value, To: p.To ?? p.Value });
    else dynamic.push({ Label: p.Label, Value: 0, To: p.To ?? 0 });
  }
  const type = dto.type ?? 'service';
  const taskName = safeName(imageBaseName(dto.docker_image), 'app');
  const config: Record<string, unknown> = { image: dto.docker_image };
  if (ports.length) config.ports = ports.map((p) => p.Label);
  return {
    ID: dto.job_id,
    Name: dto.name ?? dto.job_id,
    Namespace: namespace,
    Type: type,
    Datacenters: dto.datacenters ?? ['*'],
    Meta: { [CREATED_BY_META.key]: CREATED_BY_META.value },
    TaskGroups: [
      {
        Name: safeName(dto.job_id, 'group'),
        Count: type === 'system' || type === 'sysbatch' ? 1 : (dto.count ?? 1),
        Networks: ports.length
          ? [{ Mode: '', DynamicPorts: dynamic.length ? dynamic : null, ReservedPorts: reserved.length ? reserved : null }]
          : null,
        Tasks: [
          {
            Name: taskName,
            Driver: 'docker',
            Config: config,
            Env: dto.env_vars && Object.keys(dto.env_vars).length ? { ...dto.env_vars } : null,
            Resources: { CPU: dto.cpu ?? 100, MemoryMB: dto.memory ?? 128 },
          },
        ],
      },
    ],
  };
}
