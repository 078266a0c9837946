import { AllocationListStub, NodeListStub, NomadNode, NomadNodesApi } from '@nomad-mcp/nomad';
import { countBy, plural } from '../../jobs/job-diagnosis';
import { findById } from '../core/find-by-id';
import type { OperationContext } from '../core/operation';
import { NodeDriver, NodeListItem } from './dto/node.dto';

/** An allocation that holds the node's resources: meant to run and not ended. */
export const isLive = (a: AllocationListStub) => a.DesiredStatus === 'run' && (a.ClientStatus === 'running' || a.ClientStatus === 'pending');

export function nodeItem(n: NodeListStub, running: number): NodeListItem {
  return {
    id: n.ID, name: n.Name, status: n.Status, eligibility: n.SchedulingEligibility, drain: !!n.Drain, node_pool: n.NodePool ?? 'default',
    datacenter: n.Datacenter, node_class: n.NodeClass ?? '', address: n.Address, version: n.Version, running_allocations: running,
  };
}

export function nodeDrivers(drivers: NodeListStub['Drivers']): NodeDriver[] {
  return Object.entries(drivers ?? {}).map(([name, d]) => ({ name, detected: !!d.Detected, healthy: !!d.Healthy, description: d.HealthDescription ?? '' }))
    .sort((a, b) => Number(b.detected) - Number(a.detected) || a.name.localeCompare(b.name));
}

/** "3 nodes: 2 ready, 1 down; 1 ineligible; 1 draining." */
export function nodesSummary(nodes: NodeListItem[]): string {
  const states = Object.entries(countBy(nodes.map((n) => n.status))).map(([s, k]) => `${k} ${s}`).join(', ');
  const ineligible = nodes.filter((n) => n.eligibility !== 'eligible').length;
  const draining = nodes.filter((n) => n.drain).length;
  return `${plural(nodes.length, 'node')}: ${states}${ineligible ? `; ${ineligible} ineligible` : ''}${draining ? `; ${draining} draining` : ''}`;
}

/** The allocation counts per node of the allocations running in namespaces the caller may see. */
export function runningByNode(allocs: readonly AllocationListStub[], visible: (ns: string) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of allocs) if (a.ClientStatus === 'running' && visible(a.Namespace)) out.set(a.NodeID, (out.get(a.NodeID) ?? 0) + 1);
  return out;
}

/** The node a node_id names: a full ID or a unique prefix of 8+ hex characters (404 with the next step otherwise). */
export function findNode(ctx: OperationContext, nodes: NomadNodesApi, nodeId: string): Promise<NomadNode> {
  return findById<NomadNode>(ctx, nodeId, {
    what: 'node', field: 'node_id', namespaced: false,
    get: async (id) => (await nodes.get(id)).body,
    list: async (prefix) => (await nodes.list({ prefix })).body,
    nextStep: 'Call list_nodes to see the nodes and their IDs.',
  });
}
