import { needScope } from '../http/access';
import { sendJson } from '../http/respond';
import type { Router } from '../http/router';
import type { Sim } from '../http/sim';

/** /v1/status/*, /v1/agent/*, /v1/regions: this single server, its region and its address. */
export function agentRoutes(r: Router, sim: Sim): void {
  const { agent } = sim;
  const rpcAddr = `${agent.host}:4647`;
  // Nomad ignores the token here (it authenticates only for rate metrics): health checks work with any
  r.get('/v1/status/leader', (ctx) => sendJson(ctx, rpcAddr), { anyToken: true });
  r.get('/v1/status/peers', (ctx) => sendJson(ctx, [rpcAddr]), { anyToken: true });
  r.get('/v1/regions', (ctx) => sendJson(ctx, [agent.region]), { anyToken: true });

  r.get('/v1/agent/self', (ctx) => {
    needScope(sim.acl, ctx, 'agent');
    const name = `nomad-sim.${agent.region}`;
    sendJson(ctx, {
      config: {
        Region: agent.region, Datacenter: agent.datacenter, NodeName: 'nomad-sim', DataDir: '', LogLevel: 'INFO',
        BindAddr: agent.host, EnableDebug: false,
        Ports: { HTTP: Number(sim.httpAddr.split(':').pop()), RPC: 4647, Serf: 4648 },
        Addresses: { HTTP: agent.host, RPC: agent.host, Serf: agent.host },
        Version: { Version: agent.version, VersionPrerelease: '', VersionMetadata: 'sim', Revision: 'simulator', BuildDate: '2026-01-01T00:00:00Z' },
        ACL: { Enabled: sim.acl.enabled, TokenTTL: 30_000_000_000, PolicyTTL: 30_000_000_000, RoleTTL: 30_000_000_000, ReplicationToken: '' },
        Server: { Enabled: true, BootstrapExpect: 1 }, Client: { Enabled: true }, DevMode: true,
      },
      member: {
        Name: name, Addr: agent.host, Port: 4648, Status: 'alive',
        Tags: { region: agent.region, dc: agent.datacenter, build: agent.version, role: 'nomad', bootstrap: '1', expect: '1', port: '4647', vsn: '1', mvn: '1', raft_vsn: '3' },
        ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
      },
      stats: { nomad: { server: 'true', leader: 'true', bootstrap: 'false', known_regions: '1' }, runtime: { arch: process.arch, version: 'go1.24.5' } },
    });
  });

  /** `nomad server members`: this single server. */
  r.get('/v1/agent/members', (ctx) => {
    needScope(sim.acl, ctx, 'node');
    sendJson(ctx, {
      ServerName: 'nomad-sim', ServerRegion: agent.region, ServerDC: agent.datacenter,
      Members: [{
        Name: `nomad-sim.${agent.region}`, Addr: agent.host, Port: 4648, Status: 'alive',
        Tags: { region: agent.region, dc: agent.datacenter, build: agent.version, role: 'nomad', port: '4647', bootstrap: '1', expect: '1', vsn: '1', raft_vsn: '3' },
        ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
      }],
    });
  });
}
