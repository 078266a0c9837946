import { Module } from '@nestjs/common';
import { NOMAD_CLIENT_OPTIONS, NomadConfigurableModule } from './nomad.module-definition';
import { NomadService } from './nomad.service';
import { NomadAllocationsApi } from './resources/nomad-allocations.api';
import { NomadClientFsApi } from './resources/nomad-client-fs.api';
import { NomadDeploymentsApi } from './resources/nomad-deployments.api';
import { NomadEvaluationsApi } from './resources/nomad-evaluations.api';
import { NomadJobsApi } from './resources/nomad-jobs.api';
import { NomadNamespacesApi } from './resources/nomad-namespaces.api';
import { NomadNodesApi } from './resources/nomad-nodes.api';
import { NomadSearchApi } from './resources/nomad-search.api';
import { NomadStatusApi } from './resources/nomad-status.api';
import { NomadTransport } from './transport/nomad.transport';

/** Every resource client; each one file, all over the one NomadTransport. */
export const NOMAD_RESOURCE_APIS = [
  NomadJobsApi,
  NomadAllocationsApi,
  NomadDeploymentsApi,
  NomadEvaluationsApi,
  NomadNodesApi,
  NomadNamespacesApi,
  NomadClientFsApi,
  NomadSearchApi,
  NomadStatusApi,
];

/**
 * The Nomad client: `NomadModule.forRoot({ address, timeoutMs, … })` or
 * `NomadModule.forRootAsync({ imports, inject, useFactory })`. Global by default (`isGlobal: false` to scope).
 */
@Module({
  providers: [NomadTransport, ...NOMAD_RESOURCE_APIS, NomadService],
  exports: [NomadTransport, ...NOMAD_RESOURCE_APIS, NomadService, NOMAD_CLIENT_OPTIONS],
})
export class NomadModule extends NomadConfigurableModule {}
