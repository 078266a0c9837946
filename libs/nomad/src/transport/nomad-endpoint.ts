/**
 * Nomad's HTTP endpoints this client calls, as templates: `:name` stands for a caller-supplied segment (a job,
 * allocation, deployment… ID), named as in Nomad's API documentation. Metrics label Nomad calls by these, never
 * by the raw path, so a label never holds an ID and the set of labels stays bounded.
 * A new endpoint in a resource API belongs here too (nomad-endpoint.spec.ts checks every nomadPath call).
 */
export const NOMAD_ENDPOINT_TEMPLATES = [
  'acl/token/self',
  'agent/self',
  'regions',
  'status/leader',
  'status/peers',
  'search',
  'search/fuzzy',
  'event/stream',
  'namespaces',
  'namespace/:namespace',
  'jobs',
  'jobs/parse',
  'job/:job_id',
  'job/:job_id/allocations',
  'job/:job_id/deployment',
  'job/:job_id/deployments',
  'job/:job_id/dispatch',
  'job/:job_id/evaluate',
  'job/:job_id/evaluations',
  'job/:job_id/periodic/force',
  'job/:job_id/plan',
  'job/:job_id/revert',
  'job/:job_id/scale',
  'job/:job_id/submission',
  'job/:job_id/summary',
  'job/:job_id/versions',
  'allocations',
  'allocation/:alloc_id',
  'allocation/:alloc_id/stop',
  'client/allocation/:alloc_id/restart',
  'client/allocation/:alloc_id/signal',
  'client/allocation/:alloc_id/stats',
  'client/fs/logs/:alloc_id',
  'client/fs/cat/:alloc_id',
  'client/fs/ls/:alloc_id',
  'client/fs/stat/:alloc_id',
  'deployments',
  'deployment/:deployment_id',
  'deployment/allocations/:deployment_id',
  'deployment/fail/:deployment_id',
  'deployment/pause/:deployment_id',
  'deployment/promote/:deployment_id',
  'evaluations',
  'evaluation/:eval_id',
  'evaluation/:eval_id/allocations',
  'nodes',
  'node/:node_id',
  'node/:node_id/allocations',
  'node/:node_id/drain',
  'node/:node_id/eligibility',
] as const;

/** The label of a path no template matches: still bounded, and a sign that the list above needs the endpoint. */
export const OTHER_NOMAD_ENDPOINT = 'other';

interface TrieNode {
  literal: Map<string, TrieNode>;
  param?: TrieNode;
  template?: string;
}

const node = (): TrieNode => ({ literal: new Map() });

function buildTrie(templates: readonly string[]): TrieNode {
  const root = node();
  for (const template of templates) {
    let at = root;
    for (const segment of template.split('/')) {
      if (segment.startsWith(':')) at = at.param ??= node();
      else at = at.literal.get(segment) ?? (at.literal.set(segment, node()), at.literal.get(segment)!);
    }
    at.template = `/v1/${template}`;
  }
  return root;
}

/** A literal segment wins over a parameter (`jobs/parse` is not the job "parse"), with backtracking. */
function match(at: TrieNode, segments: string[], i: number): string | undefined {
  if (i === segments.length) return at.template;
  const literal = at.literal.get(segments[i]);
  const found = literal && match(literal, segments, i + 1);
  return found ?? (at.param && segments[i] !== '' ? match(at.param, segments, i + 1) : undefined);
}

const TRIE = buildTrie(NOMAD_ENDPOINT_TEMPLATES);

/**
 * `GET /v1/job/web%2F1/allocations` → `GET /v1/job/:job_id/allocations`; a path no template matches → `GET other`.
 * `path` is what nomadPath built (no query string).
 */
export function nomadEndpoint(method: string, path: string): string {
  const template = path.startsWith('/v1/') ? match(TRIE, path.slice(4).split('/'), 0) : undefined;
  return `${method} ${template ?? OTHER_NOMAD_ENDPOINT}`;
}
