import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * Path suffixes Nomad's HTTP server routes to a sub-resource of a job instead of the job itself
 * (command/agent/job_endpoint.go, JobSpecificRequest: a suffix match on the decoded path, so an encoded
 * `%2F` does not help). A job whose ID ends in one of them cannot be read, stopped or registered safely:
 * `x/allocations` would read the allocations of job `x`, and `x/revert` would revert `x`.
 */
export const NOMAD_JOB_SUBRESOURCES = [
  'evaluate', 'allocations', 'evaluations', 'periodic/force', 'plan', 'summary', 'dispatch', 'dispatch/payload',
  'versions', 'revert', 'deployments', 'deployment', 'stable', 'scale', 'services', 'submission', 'actions',
  'action', 'tag',
] as const;

/** The sub-resource suffix a job ID ends in, if any. */
export function subresourceSuffix(jobId: string): string | undefined {
  return NOMAD_JOB_SUBRESOURCES.find((s) => jobId.endsWith(`/${s}`));
}

/**
 * Whether a job ID has a segment (between `/`) that is empty, `.` or `..`. Nomad's HTTP server (Go's ServeMux)
 * cleans the decoded path and answers such a request with a redirect to another path (`/v1/job/../nodes` ->
 * `/v1/nodes`), which the service does not follow: the job could never be addressed.
 */
export function hasDotOrEmptySegment(jobId: string): boolean {
  return jobId.includes('/') && jobId.split('/').some((s) => s === '' || s === '.' || s === '..');
}

/** A job ID that Nomad's job routes can address: not ending in `/allocations`, `/summary`, `/revert`..., no `..`, `.` or `//`. */
export function IsAddressableJobId(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAddressableJobId',
      target: target.constructor,
      propertyName,
      options: {
        message: (args: ValidationArguments) => {
          const id = String(args.value);
          if (hasDotOrEmptySegment(id)) {
            return `${args.property} must not have an empty, '.' or '..' part between slashes: Nomad's HTTP server rewrites such paths to other ones, so a job with this ID cannot be addressed; choose an ID without them`;
          }
          const suffix = subresourceSuffix(id) ?? '';
          const parent = id.slice(0, id.length - suffix.length - 1);
          return `${args.property} must not end in '/${suffix}': Nomad routes /v1/job/${parent}/${suffix} to that part of job '${parent}', so a job with this ID cannot be addressed; choose an ID without that ending`;
        },
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || (subresourceSuffix(value) === undefined && !hasDotOrEmptySegment(value)),
      },
    });
}
