import { AclStore, parseRules, withoutComments } from './acl';

describe('ACL rules', () => {
  it('reads rules with comments, and a comment never reads as a rule', () => {
    const rules = [
      '# node { policy = "write" }',
      'namespace "*" {',
      '  capabilities = [',
      '    "read-job", # get_job_status ] "submit-job"',
      '    // "alloc-exec"',
      '    /* "dispatch-job", */ "list-jobs",',
      '  ]',
      '}',
      'node { policy = "read" } // agent { policy = "write" }',
    ].join('\n');
    expect(parseRules(rules)).toEqual({ namespaces: [{ pattern: '*', caps: new Set(['read-job', 'list-jobs']) }], node: 'read', agent: '' });
    expect(withoutComments('a = "x # not a comment" # one')).toBe('a = "x # not a comment"  ');
  });
});

describe('workload identities', () => {
  const groups: Record<string, string> = { 'alloc-1': 'web' };
  const acl = new AclStore(true, 'mgmt', 1, (id) => groups[id]);
  const policy = (name: string, JobACL: { Namespace: string; JobID: string; Group: string; Task: string } | null) =>
    acl.policies.set(name, { Name: name, Description: '', Rules: '', JobACL, ...parseRules('namespace "default" { policy = "read" }'), CreateIndex: 1, ModifyIndex: 1 });
  policy('on-job', { Namespace: 'default', JobID: 'app', Group: '', Task: '' });
  policy('on-task', { Namespace: 'default', JobID: 'app', Group: 'web', Task: 'server' });
  policy('on-other-task', { Namespace: 'default', JobID: 'app', Group: 'web', Task: 'sidecar' });
  policy('on-namespace', { Namespace: 'default', JobID: '', Group: '', Task: '' });
  policy('on-other-job', { Namespace: 'default', JobID: 'other', Group: '', Task: '' });
  policy('on-token', null);
  const claims = { nomad_namespace: 'default', nomad_job_id: 'app', nomad_allocation_id: 'alloc-1', nomad_task: 'server' };

  it("resolve to the policies attached to their job, group, task or namespace, as Nomad's ResolvePoliciesForClaims", () => {
    const token = acl.resolve(acl.signWorkloadIdentity(claims));
    expect(token).toMatchObject({ Type: 'client', workload: claims });
    expect(token!.Policies.sort()).toEqual(['on-job', 'on-namespace', 'on-task']);
    expect(acl.allowNamespace(token!, 'default', ['read-job'])).toBe(true);
  });

  it('are refused when tampered with, signed by another keyring, or of an allocation Nomad no longer knows', () => {
    const jwt = acl.signWorkloadIdentity(claims);
    const [head, , sig] = jwt.split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, nomad_job_id: 'other' })).toString('base64url')}.${sig}`;
    expect(acl.resolve(forged)).toBeNull();
    expect(acl.resolve(new AclStore(true, undefined, 1, (id) => groups[id]).signWorkloadIdentity(claims))).toBeNull();
    expect(acl.resolve(acl.signWorkloadIdentity({ ...claims, nomad_allocation_id: 'gone' }))).toBeNull();
  });
});
