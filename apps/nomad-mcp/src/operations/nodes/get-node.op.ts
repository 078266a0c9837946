import { Allocation, NomadNodesApi } from '@nomad-mcp/nomad';
import { nsToIso, plural } from '../../jobs/job-diagnosis';
import { Operation, OperationContext, OperationHandler } from '../core/operation';
import { NEWEST_FIRST } from '../core/paging';
import { presentFields, shortId, table } from '../core/render';
import { NodeRefDto, NodeResult } from './dto/node.dto';
import { findNode, isLive, nodeDrivers } from './node-view';

/** Allocations listed: the node's count says how many there are in all. */
/** The newest allocations the answer lists: enough to see what runs there, few enough for 4 KB of JSON. */
const ALLOCATIONS_SHOWN = 10;

@Operation({
  name: 'get_node',
  title: 'Get a client node',
  description:
    "Look at one client node: status, eligibility, drain, pool, datacenter, its capacity against what its allocations use, its task drivers' health, " +
    'and the allocations running on it (in the namespaces you may see). Takes a node ID or a unique prefix of 8+ hex characters. Read-only. ' +
    'Fails with "not found" for an unknown ID: call list_nodes.',
  input: NodeRefDto,
  output: NodeResult,
  annotations: { readOnly: true, destructive: false, idempotent: true },
  permission: 'read',
  order: 910,
  rest: { method: 'GET', path: 'nodes/:node_id' },
})
export class GetNodeOp implements OperationHandler<NodeRefDto, NodeResult> {
  constructor(private readonly nodes: NomadNodesApi) {}

  async run(ctx: OperationContext, input: NodeRefDto): Promise<NodeResult> {
    const n = await findNode(ctx, this.nodes, input.node_id);
    const live = ((await this.nodes.allocations(n.ID)).body as Allocation[]).filter(isLive);
    const use = (a: Allocation, k: 'cpu' | 'mem') =>
      Object.values(a.AllocatedResources?.Tasks ?? {}).reduce((s, t) => s + (k === 'cpu' ? (t.Cpu?.CpuShares ?? 0) : (t.Memory?.MemoryMB ?? 0)), 0);
    // the node's load counts every allocation; only those of the caller's namespaces are named
    const mine = NEWEST_FIRST.sort(live.filter((a) => ctx.visible(a.Namespace)));
    const resources = {
      cpu_mhz: n.NodeResources?.Cpu?.CpuShares ?? 0, memory_mb: n.NodeResources?.Memory?.MemoryMB ?? 0, disk_mb: n.NodeResources?.Disk?.DiskMB ?? 0,
      reserved_cpu_mhz: n.ReservedResources?.Cpu?.CpuShares ?? 0, reserved_memory_mb: n.ReservedResources?.Memory?.MemoryMB ?? 0,
      allocated_cpu_mhz: live.reduce((s, a) => s + use(a, 'cpu'), 0), allocated_memory_mb: live.reduce((s, a) => s + use(a, 'mem'), 0),
    };
    const drivers = nodeDrivers(n.Drivers);
    const draining = !!n.DrainStrategy;
    const running = mine.filter((a) => a.ClientStatus === 'running').length;
    const broken = drivers.filter((d) => d.detected && !d.healthy);
    const healthy = drivers.filter((d) => d.detected && d.healthy).map((d) => d.name);
    const message =
      `Node ${n.Name} (${shortId(n.ID)}) is ${n.Status}, ${n.SchedulingEligibility === 'eligible' ? 'eligible for new allocations' : 'not eligible for new allocations'}` +
      `${draining ? ', draining' : ''}; ${plural(running, 'running allocation')}${mine.length > running ? ` and ${mine.length - running} starting` : ''}` +
      `; ${resources.allocated_cpu_mhz}/${resources.cpu_mhz - resources.reserved_cpu_mhz} MHz CPU and ${resources.allocated_memory_mb}/${resources.memory_mb - resources.reserved_memory_mb} MB memory allocated` +
      `; drivers healthy: ${healthy.join(', ') || 'none'}.${broken.map((d) => ` Driver ${d.name} is unhealthy: ${d.description || 'no reason given'}.`).join('')}`;
    return {
      message, node_id: n.ID, name: n.Name, status: n.Status, status_description: n.StatusDescription ?? '', eligibility: n.SchedulingEligibility,
      // the full Node has no Address, Version or Drain (the list stub's): they come from HTTPAddr, Attributes and DrainStrategy
      drain: draining, node_pool: n.NodePool ?? 'default', datacenter: n.Datacenter, node_class: n.NodeClass ?? '', address: hostOf(n.HTTPAddr ?? ''),
      version: n.Attributes?.['nomad.version'] ?? '', resources, drivers, running_allocations: running,
      allocations: mine.slice(0, ALLOCATIONS_SHOWN).map((a) => ({
        id: a.ID, name: a.Name, namespace: a.Namespace, job_id: a.JobID, client_status: a.ClientStatus,
        cpu_mhz: use(a, 'cpu'), memory_mb: use(a, 'mem'), created_at: nsToIso(a.CreateTime),
      })),
    };
  }

  render(r: NodeResult): string {
    const facts = presentFields({
      node: `${r.name} ${r.node_id}`, pool: r.node_pool, datacenter: r.datacenter, class: r.node_class, address: r.address, version: r.version,
      status: `${r.status}${r.status_description ? ` (${r.status_description})` : ''}`,
      resources: `${r.resources.cpu_mhz} MHz CPU (${r.resources.reserved_cpu_mhz} reserved, ${r.resources.allocated_cpu_mhz} allocated), ` +
        `${r.resources.memory_mb} MB memory (${r.resources.reserved_memory_mb} reserved, ${r.resources.allocated_memory_mb} allocated), ${r.resources.disk_mb} MB disk`,
      drivers: r.drivers.filter((d) => d.detected).map((d) => `${d.name} ${d.healthy ? 'healthy' : `unhealthy (${d.description})`}`).join(', '),
    });
    const parts = [r.message, facts];
    if (r.allocations.length) {
      const rows = r.allocations.map((a) => ({ ...a, id: shortId(a.id), status: a.client_status }));
      parts.push(`allocations${r.allocations.length === ALLOCATIONS_SHOWN ? ` (the newest ${ALLOCATIONS_SHOWN})` : ''}:\n${table(rows, ['id', 'namespace', 'name', 'status', 'cpu_mhz', 'memory_mb', 'created_at'])}`);
    }
    return parts.join('\n\n');
  }
}

/** "10.0.0.5:4646" -> "10.0.0.5", "[::1]:4646" -> "::1". */
function hostOf(httpAddr: string): string {
  const m = /^\[?([^\]]*?)\]?(?::\d+)?$/.exec(httpAddr);
  return m ? m[1] : httpAddr;
}
