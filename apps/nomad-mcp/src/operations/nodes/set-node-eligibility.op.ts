import { ConflictException } from '@nestjs/common';
import { NomadApiError, NomadNode, NomadNodesApi } from '@nomad-mcp/nomad';
import { plural } from '../../jobs/job-diagnosis';
import { ChangePlan, Operation, OperationContext, OperationHandler } from '../core/operation';
import { shortId } from '../core/render';
import { NodeEligibilityDto, NodeEligibilityResult } from './dto/node-change.dto';
import { findNode, isLive } from './node-view';

const DRAINING = /while it is draining/;

@Operation({
  name: 'set_node_eligibility',
  title: 'Set node scheduling eligibility',
  description:
    'Mark a client node ineligible (eligible=false) so that no new allocations are placed on it while those running stay, or eligible again ' +
    '(like `nomad node eligibility -disable/-enable`). To move its allocations away as well, use drain_node. A draining node cannot be made ' +
    'eligible: cancel the drain with drain_node enable=false. Needs the admin scope.',
  input: NodeEligibilityDto,
  output: NodeEligibilityResult,
  annotations: { readOnly: false, destructive: false, idempotent: true },
  permission: 'admin',
  nomadCapability: 'node:write',
  order: 920,
  rest: { method: 'POST', path: 'nodes/:node_id/eligibility' },
})
export class SetNodeEligibilityOp implements OperationHandler<NodeEligibilityDto, NodeEligibilityResult> {
  constructor(private readonly nodes: NomadNodesApi) {}

  async plan(ctx: OperationContext, dto: NodeEligibilityDto): Promise<ChangePlan> {
    const { node, running } = await this.target(ctx, dto);
    const what = dto.eligible ? 'eligible: new allocations may be placed there again' : `ineligible: no new allocations are placed there, and its ${plural(running, 'running allocation')} keep running`;
    return { summary: `mark node ${node.Name} (${shortId(node.ID)}) ${what}.`, destructive: false, modify_index: null, details: { node_id: node.ID, eligibility: node.SchedulingEligibility } };
  }

  async run(ctx: OperationContext, dto: NodeEligibilityDto): Promise<NodeEligibilityResult> {
    const { node, running } = await this.target(ctx, dto);
    const who = `${node.Name} (${shortId(node.ID)})`;
    const wanted = dto.eligible ? 'eligible' : 'ineligible';
    const res = await this.nodes.setEligibility(node.ID, dto.eligible).catch((err) => {
      throw err instanceof NomadApiError && DRAINING.test(err.nomadMessage) ? drainingConflict(who) : err;
    });
    const changed = node.SchedulingEligibility !== wanted;
    const message = !changed
      ? `Node ${who} was already ${wanted}; nothing changed.`
      : dto.eligible
        ? `Node ${who} is eligible again: new allocations may be placed there (blocked placements are retried).`
        : `Node ${who} is ineligible: no new allocations are placed there; its ${plural(running, 'running allocation')} keep running (drain_node moves them).`;
    return { message, node_id: node.ID, name: node.Name, eligibility: wanted, previous_eligibility: node.SchedulingEligibility, changed, running_allocations: running, eval_ids: res.EvalIDs ?? [] };
  }

  private async target(ctx: OperationContext, dto: NodeEligibilityDto): Promise<{ node: NomadNode; running: number }> {
    const node = await findNode(ctx, this.nodes, dto.node_id);
    if (dto.eligible && node.DrainStrategy) throw drainingConflict(`${node.Name} (${shortId(node.ID)})`);
    const running = (await this.nodes.allocations(node.ID)).body.filter(isLive).length;
    return { node, running };
  }
}

function drainingConflict(who: string): ConflictException {
  return new ConflictException({
    message: `Node ${who} is draining: Nomad does not make a draining node eligible.`,
    next_step: 'Cancel the drain with drain_node enable=false, which also makes the node eligible again.',
  });
}
