/**
 * The service's tools in their fixed list order (MCP tools/list, /api/claude/tools), written out once for the
 * tests that check the lists: a tool added, removed or moved fails them until this says so too.
 */

/** What an identity with the `read` scope is offered. */
export const READ_TOOLS = [
  'find_problems', 'list_jobs', 'get_job_status', 'get_job_spec', 'list_job_versions', 'plan_job', 'get_job_logs', 'follow_job_logs',
  'list_allocations', 'get_allocation', 'get_evaluation', 'list_deployments', 'get_deployment', 'wait_for_deployment', 'wait_for_approval', 'list_nodes', 'get_node',
  'list_namespaces', 'check_connection',
];

/** Every tool, as a caller holding every scope sees them. */
export const ALL_TOOLS = [
  'find_problems', 'list_jobs', 'get_job_status', 'get_job_spec', 'list_job_versions', 'plan_job', 'start_job', 'stop_job', 'restart_job', 'scale_job', 'create_job', 'register_job',
  'revert_job', 'dispatch_job', 'force_periodic_job', 'get_job_logs', 'follow_job_logs',
  'list_allocations', 'get_allocation', 'restart_allocation', 'signal_allocation', 'stop_allocation', 'get_evaluation',
  'list_deployments', 'get_deployment', 'promote_deployment', 'fail_deployment', 'pause_deployment', 'resume_deployment', 'wait_for_deployment',
  'wait_for_approval',
  'list_nodes', 'get_node', 'set_node_eligibility', 'drain_node', 'list_namespaces', 'check_connection',
  'list_audit_records',
];
