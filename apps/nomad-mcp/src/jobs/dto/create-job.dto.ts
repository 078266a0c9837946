import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { ConfirmableDto } from './confirmable.dto';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { JobRefDto } from './job-ref.dto';
import { DATACENTER } from './patterns';
import { IsEnvMap } from './env-map.validator';
import { HasDistinctPorts } from './ports.validator';

export enum JobType {
  Service = 'service',
  Batch = 'batch',
  System = 'system',
  Sysbatch = 'sysbatch',
}

/** One port of the job's network, in the capitalised form of the published docs. */
export class PortMappingDto {
  /**
   * Port label, used by the docker task and in service registrations.
   * @example "http"
   */
  @IsString()
  @Matches(/^[a-zA-Z0-9_]+$/, { message: 'Label must be letters, digits or underscores' })
  @MaxLength(64)
  Label: string;

  /**
   * Host port: 0 (or omitted) asks Nomad for a dynamic port, a value above 0 reserves that static port.
   * @example 0
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  Value?: number = 0;

  /**
   * Container port the host port maps to. Defaults to the host port for static ports, and to the same
   * dynamic number otherwise.
   * @example 80
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  To?: number;
}

const PORT_KEYS: Record<string, keyof PortMappingDto> = { label: 'Label', value: 'Value', to: 'To' };

/**
 * Accepts `label`/`value`/`to` as well as the documented `Label`/`Value`/`To`. An item that is an array
 * becomes null: class-validator would look inside a nested array and, finding nothing, accept `[[]]`.
 */
function toPortMappings(raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw;
  return raw.map((p) => {
    if (Array.isArray(p)) return null;
    if (!p || typeof p !== 'object') return p;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) out[PORT_KEYS[k.toLowerCase()] ?? k] = v;
    return plainToInstance(PortMappingDto, out);
  });
}

/** Body of POST /api/claude/create-job: a docker job in a few fields. */
export class CreateJobDto extends IntersectionType(JobRefDto, ConfirmableDto) {
  // JobRefDto describes job_id; only the example differs: the demo's example-job was not created by
  // nomad-mcp, so Swagger UI's "Try it out" with it would get 409
  @ApiProperty({ example: 'test-nginx' })
  declare job_id: string;

  /**
   * Display name of the job. Defaults to job_id.
   * @example "Test Nginx"
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  name?: string;

  /**
   * Nomad job type: `service` (long-running), `batch` (runs to completion), `system` or `sysbatch` (one per node).
   * @example "service"
   */
  @IsOptional()
  @IsEnum(JobType, { message: 'type must be one of: service, batch, system, sysbatch' })
  type?: JobType = JobType.Service;

  /**
   * Datacenters the job may run in; `*` globs are allowed. Defaults to every datacenter (`["*"]`).
   * @example ["dc1"]
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @Matches(DATACENTER, { each: true, message: 'each datacenter must be letters, digits, ".", "_", "-" or "*"' })
  datacenters?: string[];

  /**
   * Docker image to run, with its tag.
   * @example "nginx:latest"
   */
  @IsString()
  @MaxLength(512)
  @Matches(/^[a-zA-Z0-9][a-zA-Z0-9._\-/:@]*$/, { message: 'docker_image must be an image reference such as nginx:1.27 or ghcr.io/org/app:tag' })
  docker_image: string;

  /**
   * Number of instances (allocations) to run.
   * @example 1
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  count?: number = 1;

  /**
   * CPU to reserve for each instance, in MHz.
   * @example 100
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(256000)
  cpu?: number = 100;

  /**
   * Memory to reserve for each instance, in MB.
   * @example 128
   */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(1048576)
  memory?: number = 128;

  /**
   * Ports to expose, e.g. `[{"Label":"http","Value":0,"To":80}]` for a dynamic host port mapped to container port 80.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @ValidateNested({ each: true, message: 'each port must be an object such as {"Label":"http","Value":0,"To":80}' })
  @HasDistinctPorts()
  @Transform(({ obj }) => toPortMappings(obj.ports))
  ports?: PortMappingDto[];

  // described here, not in a comment: an explicit @ApiProperty replaces what the plugin reads from comments
  @IsOptional()
  @IsObject()
  @IsEnvMap()
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Environment variables for the container (name -> value). Values are passed to Nomad and never logged.',
    example: { NGINX_PORT: '80' },
  })
  env_vars?: Record<string, string>;
}
