import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ConfirmableDto } from '../../../jobs/dto/confirmable.dto';
import { PlacementFailure } from '../../../jobs/dto/job-results.dto';

/** The largest job spec (JSON as sent, or HCL text) plan_job and register_job take. */
export const MAX_SPEC_BYTES = 64 * 1024;

/** A small docker service job as Nomad's API JSON: the documented example of plan_job and register_job. */
export const EXAMPLE_JOB = {
  ID: 'web', Type: 'service', Datacenters: ['*'],
  TaskGroups: [{
    Name: 'web', Count: 2, Networks: [{ DynamicPorts: [{ Label: 'http', To: 80 }] }],
    Tasks: [{ Name: 'nginx', Driver: 'docker', Config: { image: 'nginx:1.27', ports: ['http'] }, Resources: { CPU: 100, MemoryMB: 128 } }],
  }],
};

/** A full jobspec, as Nomad's API job JSON or as HCL, and the namespace it is meant for. */
export class JobSpecSourceDto {
  // described here, not in a comment: an explicit @ApiProperty replaces what the plugin reads from comments
  @IsOptional()
  @IsObject({ message: 'job must be a JSON object: Nomad\'s API job (`nomad job run -output`), or {"Job": {...}}' })
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "The whole job as Nomad's API JSON (what `nomad job run -output` or `nomad job inspect` prints), or wrapped as {\"Job\": {...}}. " +
      `Durations are nanoseconds. Give job or hcl, not both; at most ${MAX_SPEC_BYTES / 1024} KiB.`,
    example: EXAMPLE_JOB,
  })
  job?: Record<string, unknown>;

  /**
   * The job as HCL2 (a `.nomad.hcl` file); Nomad itself converts it (POST /v1/jobs/parse). Give job or hcl, not both.
   * @example "job \"web\" {\n  group \"web\" {\n    count = 2\n    task \"nginx\" {\n      driver = \"docker\"\n      config { image = \"nginx:1.27\" }\n    }\n  }\n}\n"
   */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SPEC_BYTES, { message: `hcl must be at most ${MAX_SPEC_BYTES} characters` })
  hcl?: string;

  /**
   * The namespace the job goes to; the spec's own Namespace, when it names one, must be the same. Defaults to
   * the spec's, else the service's default namespace.
   * @example "development"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-zA-Z0-9-]{1,128}$/, { message: 'namespace must be 1-128 letters, digits or dashes' })
  namespace?: string;
}

/** plan_job's default diff lines: with the rest they are cut to what fits in 4 KB. */
export const PLAN_DEFAULT_LINES = 30;
/** The most diff lines, groups and placement failures plan_job answers: the whole plan of any job it takes. */
export const PLAN_MAX_LINES = 2000;

/** Input of plan_job. */
export class PlanJobDto extends JobSpecSourceDto {
  /**
   * How many diff lines (and task groups, placement failures) to answer. Left out, or up to 30: as many as fit
   * in 4 KB, with how many were left out. Above 30 (up to 2000): that many, whatever the size; 2000 answers
   * the whole plan of any job.
   * @example 2000
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(PLAN_MAX_LINES)
  limit?: number;
}

/** Input of register_job. */
export class RegisterJobDto extends IntersectionType(JobSpecSourceDto, ConfirmableDto) {
  /**
   * The job modify index plan_job answered: the job is registered only if it has not changed since (0: only
   * if it does not exist yet). Left out, the index is read just before registering.
   * @example 1234
   */
  @IsOptional()
  @IsInt({ message: 'job_modify_index must be a whole number (the job_modify_index plan_job answered)' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  job_modify_index?: number;
}

/** What Nomad's scheduler would do to one task group. */
export class GroupPlan {
  /** Task group name. */
  group: string;
  /** New allocations to place. */
  create: number;
  /** Allocations to stop. */
  destroy: number;
  /** Allocations updated where they run (no restart of the tasks' processes for the new spec). */
  update_in_place: number;
  /** Allocations replaced by new ones (create/destroy update). */
  replace: number;
  /** Canary allocations placed first (the rest wait for promotion). */
  canary: number;
  /** Allocations left as they are for now (unchanged, or later steps of a rolling update). */
  unchanged: number;
  /** Allocations moved off draining nodes. */
  migrate: number;
}

export class PlanJobResult {
  /** One sentence: new or changed, what the scheduler would do, and the index to apply against. */
  message: string;
  /** Job ID (from the spec). */
  job_id: string;
  /** Namespace the plan was made in. */
  namespace: string;
  /** True when no job with this ID exists yet. */
  new_job: boolean;
  /** Pass it to register_job as job_modify_index: the job is registered only if unchanged since this plan (0 for a new job). */
  job_modify_index: number;
  /** Changes to the spec in Nomad's whole diff: its +/-/~ lines but the group and task headers that only carry counts and reasons. */
  changes: number;
  /**
   * Nomad's diff as +/-/~ lines (a plan's counts and reasons in parentheses; env and meta values never shown). When
   * lines are left out, the last one says how many changes and lines.
   */
  diff: string[];
  /** Per task group, what the scheduler would do (the first ones when left_out.groups). */
  groups: GroupPlan[];
  /** Nomad's warnings about the spec (each one line). */
  warnings: string[];
  /** Groups Nomad could not place, and why (the first ones when left_out.placement_failures). */
  placement_failures: PlacementFailure[];
  /** What this answer leaves out of the plan (all 0 when it is whole); a bigger limit answers it. */
  left_out: PlanLeftOut;
}

/** How much of a plan an answer left out. */
export class PlanLeftOut {
  /** Diff lines not shown (changes and their headers). */
  diff_lines: number;
  /** Changes among them. */
  changes: number;
  /** Task groups not in groups. */
  groups: number;
  /** Placement failures not in placement_failures. */
  placement_failures: number;
  /** Warnings not in warnings. */
  warnings: number;
}

export class RegisterJobResult {
  /** One sentence saying what was registered and what happens next. */
  message: string;
  /** Job ID. */
  job_id: string;
  /** Namespace of the job. */
  namespace: string;
  /** True when the job did not exist before. */
  created: boolean;
  /** The job's version now (unchanged when the spec was the same). */
  version: number;
  /** The job modify index the register was enforced against. */
  enforced_index: number;
  /** The evaluation that places the allocations (null for periodic and parameterized jobs). */
  eval_id: string | null;
  /** Nomad's warnings, if any (each one line). */
  warnings: string[];
}
