/**
 * A Nomad token is either an ACL token's secret (a UUID) or a task's workload identity: a JWT signed by the
 * servers, which a task gets as NOMAD_TOKEN from `identity { env = true }`. Nomad tells them apart the same
 * way (a UUID or not). A workload identity is not an ACL token: `/v1/acl/token/self` answers it with 404
 * "ACL token not found" once Nomad has verified it (a bad one is refused before that), and what it may do
 * comes from the ACL policies attached to its job (`nomad acl policy apply -job …`).
 */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function isWorkloadIdentity(token: string | undefined): boolean {
  return !!token && JWT.test(token.trim());
}

/** Who the identity says it is (namespace and job), read from its claims without verifying them: for messages only. */
export function workloadIdentityClaims(token: string): { namespace?: string; job?: string } {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return { namespace: text(claims.nomad_namespace), job: text(claims.nomad_job_id) };
  } catch {
    return {};
  }
}
