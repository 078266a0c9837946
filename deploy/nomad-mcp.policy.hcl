# The Nomad ACL policy of the Nomad MCP service: the capabilities its operations call Nomad with, and no more.
# Each capability names the operations that need it (their nomadCapability in apps/nomad-mcp/src/operations);
# test/nomad-policy.e2e-spec.ts checks both ways that this list and the operations agree.
#
# Attach it to the job's workload identity (deploy/nomad-mcp.nomad.hcl):
#   nomad acl policy apply -namespace default -job nomad-mcp -description "Nomad MCP" nomad-mcp deploy/nomad-mcp.policy.hcl
# or to a token of its own:
#   nomad acl policy apply -description "Nomad MCP" nomad-mcp deploy/nomad-mcp.policy.hcl
#   nomad acl token create -name nomad-mcp -policy nomad-mcp
#
# Narrower is safer: replace "*" with the namespaces the service may touch (and set NOMAD_MCP_ALLOWED_NAMESPACES
# to the same list, so callers are told no before Nomad is asked); drop the capabilities of operations no
# caller has the scope for (identities file) or that NOMAD_MCP_READ_ONLY turns off.

namespace "*" {
  capabilities = [
    # list_jobs
    "list-jobs",
    # find_problems, get_job_status, get_job_spec, list_job_versions, wait_for_deployment, list_allocations,
    # get_allocation, list_deployments, get_deployment, get_evaluation; check_connection reads the namespace (any
    # capability there will do); every change reads the job or allocation first
    "read-job",
    # create_job (plan and register), plan_job, register_job, stop_job, start_job, revert_job, force_periodic_job,
    # promote_deployment, fail_deployment, pause_deployment, resume_deployment
    "submit-job",
    # dispatch_job
    "dispatch-job",
    # scale_job
    "scale-job",
    # get_job_logs, follow_job_logs
    "read-logs",
    # restart_job, restart_allocation, stop_allocation, signal_allocation
    "alloc-lifecycle",
  ]
}

# list_nodes, get_node, drain_node, set_node_eligibility: the last two change a node, which needs "write" (with
# "read" Nomad refuses them). The problem finder reads the nodes too, and says so when it may not.
node {
  policy = "write"
}
