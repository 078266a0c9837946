import type { AclToken } from '../acl';
import type { JobSummary } from '../state/jobs';
import { nodeAttributes, NODE_META } from '../state/feasibility';
import type { Allocation, Evaluation, Job, Namespace, SimNode } from '../state/types';

/** The wire shapes the endpoints answer with, built from the stored records (key order as Nomad sends it). */

export const byCreateIndexDesc = (a: { CreateIndex: number }, b: { CreateIndex: number }) => b.CreateIndex - a.CreateIndex;

/** JobListStub; `Meta` only with ?meta=true and only when the job has some. */
export function jobStub(j: Job, summary: JobSummary, withMeta: boolean): Record<string, unknown> {
  const stub: Record<string, unknown> = {
    ID: j.ID, ParentID: j.ParentID, Name: j.Name, Namespace: j.Namespace, Datacenters: j.Datacenters, NodePool: j.NodePool,
    Multiregion: j.Multiregion, Type: j.Type, Priority: j.Priority, Periodic: !!j.Periodic, ParameterizedJob: !!j.ParameterizedJob,
    Stop: j.Stop, Status: j.Status, StatusDescription: j.StatusDescription, JobSummary: summary,
    CreateIndex: j.CreateIndex, ModifyIndex: j.ModifyIndex, JobModifyIndex: j.JobModifyIndex, SubmitTime: j.SubmitTime,
  };
  if (withMeta && j.Meta && Object.keys(j.Meta).length) stub.Meta = j.Meta;
  return stub;
}

/** The full allocation without the simulator's own bookkeeping. */
export function allocOut(a: Allocation): Omit<Allocation, 'JobCreateIndex'> {
  const { JobCreateIndex: _ignored, ...rest } = a;
  return rest;
}

export function allocStub(a: Allocation) {
  return {
    ID: a.ID, EvalID: a.EvalID, Name: a.Name, Namespace: a.Namespace, NodeID: a.NodeID, NodeName: a.NodeName,
    JobID: a.JobID, JobType: a.JobType, JobVersion: a.JobVersion, TaskGroup: a.TaskGroup,
    DesiredStatus: a.DesiredStatus, DesiredDescription: a.DesiredDescription, ClientStatus: a.ClientStatus,
    ClientDescription: a.ClientDescription, DesiredTransition: a.DesiredTransition, TaskStates: a.TaskStates,
    DeploymentStatus: a.DeploymentStatus, FollowupEvalID: a.FollowupEvalID, NextAllocation: a.NextAllocation,
    RescheduleTracker: a.RescheduleTracker, PreemptedAllocations: a.PreemptedAllocations,
    PreemptedByAllocation: a.PreemptedByAllocation, CreateIndex: a.CreateIndex, ModifyIndex: a.ModifyIndex,
    CreateTime: a.CreateTime, ModifyTime: a.ModifyTime,
  };
}

/** The stub of an evaluation in another's RelatedEvals. */
export function evalStub(e: Evaluation) {
  return {
    ID: e.ID, Namespace: e.Namespace, Priority: e.Priority, Type: e.Type, TriggeredBy: e.TriggeredBy, JobID: e.JobID,
    NodeID: e.NodeID, DeploymentID: e.DeploymentID, Status: e.Status, StatusDescription: e.StatusDescription,
    WaitUntil: e.WaitUntil, NextEval: e.NextEval, PreviousEval: e.PreviousEval, BlockedEval: e.BlockedEval,
    CreateIndex: e.CreateIndex, ModifyIndex: e.ModifyIndex, CreateTime: e.CreateTime, ModifyTime: e.ModifyTime,
  };
}

export function namespaceOut(n: Namespace) {
  return {
    Name: n.Name, Description: n.Description, Quota: n.Quota, Capabilities: n.Capabilities, NodePoolConfiguration: null,
    VaultConfiguration: null, ConsulConfiguration: null, Meta: n.Meta, Hash: Buffer.from(`${n.Name}:${n.ModifyIndex}`).toString('base64'),
    CreateIndex: n.CreateIndex, ModifyIndex: n.ModifyIndex,
  };
}

export function tokenOut(t: AclToken) {
  return {
    AccessorID: t.AccessorID, SecretID: t.SecretID as string | undefined, Name: t.Name, Type: t.Type, Policies: t.Policies.length ? t.Policies : null,
    Roles: null, Global: t.Global, CreateTime: t.CreateTime, ExpirationTime: null, CreateIndex: t.CreateIndex, ModifyIndex: t.ModifyIndex,
  };
}

/** The drivers every simulated node fingerprints. */
function nodeDrivers() {
  const updated = new Date(Date.now() - 60_000).toISOString();
  return {
    docker: { Attributes: { 'driver.docker': 'true', 'driver.docker.version': '27.3.1', 'driver.docker.bridge_ip': '172.17.0.1', 'driver.docker.runtimes': 'io.containerd.runc.v2,runc', 'driver.docker.os_type': 'linux' }, Detected: true, Healthy: true, HealthDescription: 'Healthy', UpdateTime: updated },
    exec: { Attributes: { 'driver.exec': 'true' }, Detected: true, Healthy: true, HealthDescription: 'Healthy', UpdateTime: updated },
    raw_exec: { Attributes: null, Detected: false, Healthy: false, HealthDescription: 'disabled', UpdateTime: updated },
    java: { Attributes: null, Detected: false, Healthy: false, HealthDescription: '', UpdateTime: updated },
  };
}

function nodeResources(n: SimNode) {
  return {
    NodeResources: { Cpu: { CpuShares: n.CPU, TotalCpuCores: 4, ReservableCpuCores: [0, 1, 2, 3] }, Memory: { MemoryMB: n.MemoryMB }, Disk: { DiskMB: n.DiskMB }, Networks: null, Devices: null, NodeNetworks: null, MinDynamicPort: 20000, MaxDynamicPort: 32000 },
    ReservedResources: { Cpu: { CpuShares: 0, ReservedCpuCores: null }, Memory: { MemoryMB: 0 }, Disk: { DiskMB: 0 }, Networks: { ReservedHostPorts: '' } },
  };
}

/** NodeListStub (Node.Stub): `Drain` is whether a drain strategy is set; Attributes with ?os=true, resources with ?resources=true. */
export function nodeStub(n: SimNode, version: string, withOs: boolean, withResources: boolean): Record<string, unknown> {
  const stub: Record<string, unknown> = {
    Address: n.Address, ID: n.ID, Datacenter: n.Datacenter, Name: n.Name, NodeClass: n.NodeClass, NodePool: n.NodePool,
    Version: version, Drain: n.DrainStrategy !== null, SchedulingEligibility: n.SchedulingEligibility, Status: n.Status,
    StatusDescription: n.StatusDescription, Drivers: nodeDrivers(), HostVolumes: null, LastDrain: n.LastDrain, CreateIndex: n.CreateIndex, ModifyIndex: n.ModifyIndex,
  };
  if (withOs) stub.Attributes = { 'os.name': 'debian', 'os.version': '12', 'kernel.name': 'linux', 'cpu.arch': 'amd64' };
  if (withResources) Object.assign(stub, nodeResources(n));
  return stub;
}

/**
 * The full Node as GET /v1/node/:id answers it: no Address, Version or Drain (those are the stub's), but
 * HTTPAddr, the fingerprinted Attributes, DrainStrategy, Events and LastDrain.
 */
export function nodeOut(n: SimNode, version: string, agentHttpAddr: string): Record<string, unknown> {
  return {
    ID: n.ID, SecretID: '', Datacenter: n.Datacenter, Name: n.Name, HTTPAddr: nodeHttpAddr(n, agentHttpAddr), TLSEnabled: false,
    Attributes: nodeAttributes(n, version), ...nodeResources(n), Resources: null, Reserved: null, Links: null, Meta: NODE_META,
    NodeClass: n.NodeClass, NodePool: n.NodePool, ComputedClass: `v1:${n.Datacenter}-${n.NodePool}`, DrainStrategy: n.DrainStrategy,
    SchedulingEligibility: n.SchedulingEligibility, Status: n.Status, StatusDescription: n.StatusDescription, StatusUpdatedAt: Math.floor(Date.now() / 1000),
    Events: n.Events, Drivers: nodeDrivers(), CSIControllerPlugins: null, CSINodePlugins: null, HostVolumes: null, HostNetworks: null,
    LastDrain: n.LastDrain, CreateIndex: n.CreateIndex, ModifyIndex: n.ModifyIndex,
  };
}

/**
 * A client's HTTPAddr: its own address with the agent's HTTP port. Nomad's Node.Stub() takes the stub's Address
 * from the host part of HTTPAddr, so the two agree; the node's Address is also what its allocations' ports and
 * `unique.network.ip-address` use. Nothing dials it: the simulator itself listens on the agent's address only.
 */
function nodeHttpAddr(n: SimNode, agentHttpAddr: string): string {
  return `${n.Address}:${agentHttpAddr.slice(agentHttpAddr.lastIndexOf(':') + 1)}`;
}
