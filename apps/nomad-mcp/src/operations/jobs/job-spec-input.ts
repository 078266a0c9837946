import { Inject, Injectable } from '@nestjs/common';
import { JobSubmissionInput, NomadApiError, NomadJob } from '@nomad-mcp/nomad';
import { fieldErrorsException } from '../../common/validation';
import { hasDotOrEmptySegment, subresourceSuffix } from '../../jobs/dto/job-id.validator';
import { AppConfig, APP_CONFIG } from '../../config/env.schema';
import type { OperationContext } from '../core/operation';
import { JobSpecSourceDto, MAX_SPEC_BYTES } from './dto/job-spec.dto';
import { JobAccess } from './job-access';

/** A caller's jobspec, checked and ready for Nomad: its namespace decided, and its HCL source when it came as HCL. */
export interface ResolvedSpec {
  namespace: string;
  /** The namespace is the one the spec names (no namespace argument): a missing one is fixed in the spec. */
  namespaceFromSpec?: boolean;
  job: NomadJob;
  /** Sent along with the register, so Nomad keeps the source (get_job_spec shows it). */
  submission?: JobSubmissionInput;
}

/** Top-level keys whose spelling matters here: Nomad matches keys case-insensitively, so `id` is ID. */
const CHECKED_KEYS = ['ID', 'Namespace', 'Region', 'Multiregion', 'TaskGroups'];
/** Job IDs as the REST routes take them (JobRefDto): no whitespace or control characters, not `.` or `..`. */
const JOB_ID = /^(?!\.{1,2}$)[^\s\x00-\x1f\x7f]{1,256}$/;

const bad = (field: string, reason: string) => fieldErrorsException([{ field, reasons: [reason] }]);

/**
 * Turns plan_job's and register_job's input into the job Nomad gets: JSON as given (or unwrapped from
 * {"Job": …}), or HCL converted by Nomad itself. Nothing in the spec may take the call elsewhere than the
 * caller may go: its Namespace must be the one asked for (and one the caller may use), its Region this
 * service's, and multiregion jobs (which Nomad fans out to other regions) are refused.
 */
@Injectable()
export class JobSpecReader {
  constructor(
    private readonly jobs: JobAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async read(ctx: OperationContext, dto: JobSpecSourceDto): Promise<ResolvedSpec> {
    // null is "not given", as for every optional field
    const [hasJob, hasHcl] = [dto.job !== undefined && dto.job !== null, dto.hcl !== undefined && dto.hcl !== null];
    if (hasJob === hasHcl) {
      throw bad(hasJob ? 'hcl' : 'job', 'give the job spec either as job (Nomad\'s API JSON) or as hcl (HCL2 text), exactly one of them');
    }
    let raw: Record<string, unknown>;
    let submission: JobSubmissionInput | undefined;
    if (hasHcl) {
      raw = await this.parse(ctx.namespace(dto.namespace), dto.hcl!);
      submission = { Source: dto.hcl!, Format: 'hcl2' };
    } else {
      const size = Buffer.byteLength(JSON.stringify(dto.job));
      if (size > MAX_SPEC_BYTES) throw bad('job', `is ${size} bytes; at most ${MAX_SPEC_BYTES} are taken`);
      raw = unwrap(dto.job!);
    }
    const job = normalizeKeys(raw);
    const id = job.ID;
    if (typeof id !== 'string' || !JOB_ID.test(id)) {
      throw bad('job.ID', id === undefined || id === null ? 'is missing: the spec must name its job ID' : 'must be a job ID of 1-256 characters without whitespace or control characters, not "." or ".."');
    }
    const suffix = subresourceSuffix(id);
    if (suffix) throw bad('job.ID', `must not end in '/${suffix}': Nomad routes /v1/job/<id>/${suffix} to that part of another job, so this job could not be addressed; choose an ID without that ending`);
    if (hasDotOrEmptySegment(id)) throw bad('job.ID', "must not have an empty, '.' or '..' part between slashes: Nomad's HTTP server rewrites such paths to other ones, so this job could not be addressed");
    const specNs = job.Namespace;
    if (specNs !== undefined && specNs !== null && typeof specNs !== 'string') throw bad('job.Namespace', 'must be a string');
    // a job lives in one namespace: "*" (every namespace, for reads) or a name Nomad cannot have is refused here
    if (specNs && !/^[a-zA-Z0-9-]{1,128}$/.test(specNs)) throw bad('job.Namespace', `is '${specNs.slice(0, 130)}', but a job's namespace must be one namespace's name: 1-128 letters, digits or dashes`);
    if (specNs && dto.namespace && specNs !== dto.namespace) {
      throw bad('job.Namespace', `is '${specNs}' but namespace is '${dto.namespace}'; they must be the same (or leave one out)`);
    }
    const namespace = ctx.namespace(dto.namespace ?? (specNs || undefined));
    // from here on the call is about this job: its audit record and error advice name it, refused or not
    ctx.note({ namespace, job: id });
    const region = job.Region;
    const mine = this.config.nomad.region;
    if (region !== undefined && region !== null && region !== '' && region !== 'global' && region !== mine) {
      throw bad('job.Region', `is '${String(region)}', but this service manages ${mine ? `region '${mine}'` : 'the region of its Nomad agent'}; leave Region out`);
    }
    if (job.Multiregion !== undefined && job.Multiregion !== null) {
      throw bad('job.Multiregion', 'multiregion jobs are not registered through this service (Nomad would deploy them to other regions); leave Multiregion out');
    }
    const namespaceFromSpec = !!specNs && !dto.namespace;
    return { namespace, namespaceFromSpec, job: { ...job, ID: id, Namespace: namespace, TaskGroups: (job.TaskGroups ?? null) as NomadJob['TaskGroups'] }, submission };
  }

  /** Nomad's own HCL2 parser; its refusal names the line and column. */
  private async parse(namespace: string, hcl: string): Promise<Record<string, unknown>> {
    if (!hcl.trim()) throw bad('hcl', 'is empty');
    try {
      return (await this.jobs.api.parse(namespace, hcl)) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof NomadApiError && err.status === 400) {
        throw bad('hcl', `Nomad could not convert it: ${err.nomadMessage.replace(/^Failed to parse job: /, '')}. Fix the HCL, or give the job as JSON (job).`);
      }
      throw err;
    }
  }
}

/** {"Job": {...}} (a register request body) → the job; anything else besides Job is refused, not ignored. */
function unwrap(input: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(input);
  const wrapper = keys.find((k) => k.toLowerCase() === 'job');
  if (!wrapper) return input;
  const inner = input[wrapper];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw bad('job.Job', 'must be the job object');
  const others = keys.filter((k) => k !== wrapper);
  if (others.length) {
    throw bad('job', `holds Job and ${others.join(', ')}; give the job alone (or {"Job": {...}}): register_job always enforces the job modify index itself`);
  }
  return inner as Record<string, unknown>;
}

/** The checked keys under their canonical names; two spellings of one key (ID and id) are refused. */
function normalizeKeys(job: Record<string, unknown>): Record<string, unknown> & { ID?: unknown; Namespace?: unknown; Region?: unknown; Multiregion?: unknown; TaskGroups?: unknown } {
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(job)) {
    const canonical = CHECKED_KEYS.find((c) => c.toLowerCase() === k.toLowerCase()) ?? k;
    const before = seen.get(canonical.toLowerCase());
    if (before !== undefined) throw bad(`job.${k}`, `is given twice (${before} and ${k}); Nomad reads keys without regard to case`);
    seen.set(canonical.toLowerCase(), k);
    out[canonical] = v;
  }
  return out;
}
