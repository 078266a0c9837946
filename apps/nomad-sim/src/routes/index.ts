import { Router } from '../http/router';
import type { Sim } from '../http/sim';
import { aclRoutes } from './acl';
import { agentRoutes } from './agent';
import { allocationRoutes } from './allocations';
import { clientFsRoutes } from './client-fs';
import { deploymentRoutes } from './deployments';
import { evaluationRoutes } from './evaluations';
import { eventRoutes } from './events';
import { jobChildRoutes } from './job-children';
import { jobResourceRoutes } from './job-resources';
import { jobSubmissionRoutes } from './job-submission';
import { jobRoutes } from './jobs';
import { namespaceRoutes } from './namespaces';
import { nodeRoutes } from './nodes';
import { searchRoutes } from './search';

/** Every endpoint of the simulator, one file per resource. */
export function buildRouter(sim: Sim): Router {
  const r = new Router();
  for (const routes of [agentRoutes, namespaceRoutes, nodeRoutes, jobRoutes, jobResourceRoutes, jobChildRoutes, jobSubmissionRoutes, allocationRoutes, evaluationRoutes, deploymentRoutes, clientFsRoutes, aclRoutes, searchRoutes, eventRoutes]) {
    routes(r, sim);
  }
  return r;
}
