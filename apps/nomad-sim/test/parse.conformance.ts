import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEC_DIR, SPEC_REQUIRED } from '../../../test/support/nomad-api-spec';
import { conformanceApi, openTarget, Target } from './target';

/**
 * Nomad HTTP API conformance: `/v1/jobs/parse`, HCL2 to the API's Job as jobspec2 maps it (hashicorp/nomad
 * v1.10.5): block labels to names, durations to nanoseconds, ports, services and checks, policies,
 * placement, env/meta, templates, parameterized and periodic blocks, driver config, variables and locals,
 * the Go client's Canonicalize on request, and syntax errors with their position.
 */
/** The docs' samples live beside the OpenAPI spec (outside the repository): skipped without them, as the shape checks are. */
const SAMPLES = join(SPEC_DIR, 'samples');
const sample = (name: string) => JSON.parse(readFileSync(join(SAMPLES, name), 'utf8'));
const withSamples = existsSync(SAMPLES) || SPEC_REQUIRED ? it : it.skip;
const S = 1e9;

/** `nomad init`'s example job, the source of the JSON in the docs' json-jobs page (jobspec.docker-service.example.json). */
const DOCS_EXAMPLE_HCL = `
job "example" {
  datacenters = ["dc1"]
  type        = "service"
  node_pool   = "prod"

  update {
    max_parallel      = 1
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    auto_revert       = false
    canary            = 0
  }

  migrate {
    max_parallel     = 1
    health_check     = "checks"
    min_healthy_time = "10s"
    healthy_deadline = "5m"
  }

  group "cache" {
    count = 1

    network {
      port "db" {
        to = 6379
      }
    }

    service {
      name     = "redis-cache"
      tags     = ["global", "cache"]
      port     = "db"
      provider = "nomad"
    }

    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }

    ephemeral_disk {
      size = 300
    }

    task "redis" {
      driver = "docker"

      config {
        image          = "redis:7"
        ports          = ["db"]
        auth_soft_fail = true
      }

      identity {
        env  = true
        file = true
      }

      resources {
        cpu    = 500
        memory = 256
      }
    }
  }
}
`;

/** Every field of `expected` has the same value in `actual` (fields Nomad has added since the docs were written are extra). */
function expectContains(actual: unknown, expected: unknown, path: string, skip: string[]): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    expect({ path, type: typeof actual }).toEqual({ path, type: 'object' });
    for (const [k, v] of Object.entries(expected)) {
      if (!skip.includes(k)) expectContains((actual as Record<string, unknown>)?.[k], v, `${path}.${k}`, skip);
    }
  } else if (Array.isArray(expected)) {
    expect({ path, length: (actual as unknown[])?.length }).toEqual({ path, length: expected.length });
    expected.forEach((v, i) => expectContains((actual as unknown[])[i], v, `${path}[${i}]`, skip));
  } else {
    expect({ path, value: actual }).toEqual({ path, value: expected });
  }
}

describe('Nomad API conformance: /v1/jobs/parse', () => {
  let t: Target;
  const { api, expectPlainError } = conformanceApi(() => t, []);
  const parse = async (hcl: string, extra: Record<string, unknown> = {}) => {
    const r = await api('PUT', '/v1/jobs/parse', { JobHCL: hcl, ...extra });
    expect({ status: r.status, text: r.status === 200 ? '' : r.text }).toEqual({ status: 200, text: '' });
    return r.json;
  };
  const task = (job: any, g = 0, i = 0) => job.TaskGroups[g].Tasks[i];

  beforeAll(async () => {
    t = await openTarget();
  });
  afterAll(() => t.close());

  withSamples('maps the docs example job exactly as `nomad job run -output` showed it (fields removed from the API since excepted)', async () => {
    const job = await parse(DOCS_EXAMPLE_HCL);
    // ConsulToken and VaultToken left api.Job in Nomad 1.10
    expectContains(job, sample('jobspec.docker-service.example.json').Job, 'Job', ['ConsulToken', 'VaultToken']);
    expect(Object.keys(job)).toEqual([
      'Region', 'Namespace', 'ID', 'Name', 'Type', 'Priority', 'AllAtOnce', 'Datacenters', 'NodePool', 'Constraints', 'Affinities',
      'TaskGroups', 'Update', 'Multiregion', 'Spreads', 'Periodic', 'ParameterizedJob', 'Reschedule', 'Migrate', 'Meta', 'UI', 'Stop',
      'ParentID', 'Dispatched', 'DispatchIdempotencyToken', 'Payload', 'ConsulNamespace', 'VaultNamespace', 'NomadTokenID', 'Status',
      'StatusDescription', 'Stable', 'Version', 'SubmitTime', 'CreateIndex', 'ModifyIndex', 'JobModifyIndex', 'VersionTag',
    ]);
    expect(task(job).Identities).toEqual([]);
  });

  withSamples('answers the docs sample request with a canonicalized job: the sample response\'s fields and defaults', async () => {
    const r = await api('PUT', '/v1/jobs/parse', sample('POST_v1_jobs_parse.request.json'));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-nomad-index')).toBeNull();
    const job = r.json;
    const docs = sample('POST_v1_jobs_parse.response.json');
    for (const key of Object.keys(docs)) expect(Object.keys(job)).toContain(key);
    // the docs response is a different job (my-job, prod pool, no groups): compare the defaults Canonicalize fills in
    for (const k of ['AllAtOnce', 'Constraints', 'Affinities', 'CreateIndex', 'JobModifyIndex', 'Meta', 'ModifyIndex', 'Namespace', 'ParameterizedJob',
      'ParentID', 'Payload', 'Periodic', 'Priority', 'Region', 'Reschedule', 'Stable', 'Status', 'StatusDescription', 'Stop', 'SubmitTime', 'Type', 'Version', 'Datacenters']) {
      expect({ k, v: job[k] }).toEqual({ k, v: docs[k] });
    }
    expect(job).toMatchObject({ ID: 'example', Name: 'example', NodePool: '', Migrate: null });
    expect(job.Update).toEqual({ Stagger: 30 * S, MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S, ProgressDeadline: 600 * S, Canary: 0, AutoRevert: false, AutoPromote: false });
    expect(job.TaskGroups).toHaveLength(1);
    expect(job.TaskGroups[0]).toMatchObject({
      Name: 'cache', Count: 1, Tasks: null, EphemeralDisk: { Sticky: false, Migrate: false, SizeMB: 300 },
      RestartPolicy: { Interval: 1800 * S, Attempts: 2, Delay: 15 * S, Mode: 'fail', RenderTemplates: false },
      ReschedulePolicy: { Attempts: 0, Interval: 0, Delay: 30 * S, DelayFunction: 'exponential', MaxDelay: 3600 * S, Unlimited: true },
      Migrate: { MaxParallel: 1, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S },
    });
  });

  it('network ports: `port` blocks are DynamicPorts, those with `static` ReservedPorts, in source order', async () => {
    const job = await parse(`job "p" {
  group "g" {
    network {
      mode = "bridge"
      port "web" { static = 8080 }
      port "db" { to = 5432 }
      port "admin" {}
    }
  }
}`);
    const port = (Label: string, Value: number, To: number) => ({ Label, Value, To, HostNetwork: '', IgnoreCollision: false });
    expect(job.TaskGroups[0].Networks).toEqual([{
      Mode: 'bridge', Device: '', CIDR: '', IP: '', DNS: null, ReservedPorts: [port('web', 8080, 0)],
      DynamicPorts: [port('db', 0, 5432), port('admin', 0, 0)], Hostname: '', MBits: null, CNI: null,
    }]);
  });

  it('service blocks with checks and check_restart, and durations in nanoseconds', async () => {
    const job = await parse(`job "s" {
  group "g" {
    service {
      name = "api"
      port = "http"
      tags = ["v1"]
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "1500ms"
        header {
          X-Probe = ["yes"]
        }
      }
      check_restart {
        limit = 3
        grace = "1m"
      }
    }
  }
}`, { Canonicalize: true });
    const svc = job.TaskGroups[0].Services[0];
    expect(svc).toMatchObject({ Name: 'api', PortLabel: 'http', Tags: ['v1'], AddressMode: 'auto', OnUpdate: 'require_healthy', Provider: 'consul', Cluster: 'default' });
    expect(svc.Checks).toHaveLength(1);
    expect(svc.Checks[0]).toMatchObject({
      Type: 'http', Path: '/health', Interval: 10 * S, Timeout: 1.5 * S, Header: { 'X-Probe': ['yes'] },
      CheckRestart: { Limit: 3, Grace: 60 * S, IgnoreWarnings: false }, OnUpdate: 'require_healthy',
    });
  });

  it('update, restart and reschedule blocks, merged with the job\'s and defaulted on Canonicalize', async () => {
    const hcl = `job "u" {
  update {
    max_parallel = 2
    stagger      = "45s"
  }
  reschedule {
    attempts = 4
    interval = "1h"
  }
  group "g" {
    update {
      canary      = 1
      auto_revert = true
    }
    restart {
      attempts = 5
      mode     = "delay"
    }
    reschedule {
      delay_function = "fibonacci"
    }
    task "t" {
      driver = "exec"
      restart {
        delay = "3s"
      }
    }
  }
}`;
    const raw = await parse(hcl);
    expect(raw.Update).toEqual({ Stagger: 45 * S, MaxParallel: 2, HealthCheck: null, MinHealthyTime: null, HealthyDeadline: null, ProgressDeadline: null, Canary: null, AutoRevert: null, AutoPromote: null });
    expect(raw.TaskGroups[0].RestartPolicy).toEqual({ Interval: null, Attempts: 5, Delay: null, Mode: 'delay', RenderTemplates: null });
    const job = await parse(hcl, { Canonicalize: true });
    const g = job.TaskGroups[0];
    expect(g.Update).toEqual({ Stagger: 45 * S, MaxParallel: 2, HealthCheck: 'checks', MinHealthyTime: 10 * S, HealthyDeadline: 300 * S, ProgressDeadline: 600 * S, Canary: 1, AutoRevert: true, AutoPromote: false });
    expect(g.ReschedulePolicy).toEqual({ Attempts: 4, Interval: 3600 * S, Delay: 30 * S, DelayFunction: 'fibonacci', MaxDelay: 3600 * S, Unlimited: true });
    expect(g.RestartPolicy).toEqual({ Interval: 1800 * S, Attempts: 5, Delay: 15 * S, Mode: 'delay', RenderTemplates: false });
    expect(g.Tasks[0].RestartPolicy).toEqual({ Interval: 1800 * S, Attempts: 5, Delay: 3 * S, Mode: 'delay', RenderTemplates: false });
  });

  it('constraint and affinity blocks, with operator shortcuts and runtime interpolations kept as written', async () => {
    const job = await parse(`job "c" {
  constraint {
    attribute = "\${attr.kernel.name}"
    value     = "linux"
  }
  constraint {
    attribute = "\${attr.os.version}"
    version   = ">= 22"
  }
  constraint {
    distinct_hosts = true
  }
  affinity {
    attribute = "\${node.datacenter}"
    value     = "dc1"
    weight    = 80
  }
  group "g" {}
}`, { Canonicalize: true });
    expect(job.Constraints).toEqual([
      { LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' },
      { LTarget: '${attr.os.version}', RTarget: '>= 22', Operand: 'version' },
      { LTarget: '', RTarget: 'true', Operand: 'distinct_hosts' },
    ]);
    expect(job.Affinities).toEqual([{ LTarget: '${node.datacenter}', RTarget: 'dc1', Operand: '=', Weight: 80 }]);
  });

  it('env and meta as blocks or as maps (keys with dots), values as strings', async () => {
    const job = await parse(`job "e" {
  meta {
    owner = "team-a"
    tier  = 2
  }
  group "g" {
    meta = { "release.channel" = "stable" }
    task "t" {
      driver = "exec"
      env {
        MODE = "prod"
      }
      meta = { "x.y" = true }
    }
  }
}`);
    expect(job.Meta).toEqual({ owner: 'team-a', tier: '2' });
    expect(job.TaskGroups[0].Meta).toEqual({ 'release.channel': 'stable' });
    expect(task(job).Env).toEqual({ MODE: 'prod' });
    expect(task(job).Meta).toEqual({ 'x.y': 'true' });
  });

  it('template blocks get jobspec2\'s defaults (change mode, perms, splay) and heredoc data', async () => {
    const job = await parse(`job "t" {
  group "g" {
    task "t" {
      driver = "exec"
      template {
        data        = <<EOT
port={{ env "NOMAD_PORT_http" }}
EOT
        destination = "local/app.conf"
        change_mode = "signal"
        change_signal = "sighup"
      }
    }
  }
}`);
    expect(task(job).Templates).toEqual([{
      SourcePath: null, DestPath: 'local/app.conf', EmbeddedTmpl: 'port={{ env "NOMAD_PORT_http" }}\n', ChangeMode: 'signal', ChangeScript: null,
      ChangeSignal: 'sighup', Once: null, Splay: 5 * S, Perms: '0644', Uid: null, Gid: null, LeftDelim: null, RightDelim: null, Envvars: null,
      VaultGrace: null, Wait: null, ErrMissingKey: false,
    }]);
  });

  it('resources, driver config (nested blocks as lists), kill_timeout and dispatch_payload', async () => {
    const job = await parse(`job "r" {
  group "g" {
    task "t" {
      driver = "docker"
      kill_timeout = "20s"
      config {
        image  = "nginx:1.27"
        args   = ["-p", "\${NOMAD_PORT_http}"]
        labels = { team = "web" }
        mount {
          type   = "bind"
          target = "/data"
        }
      }
      dispatch_payload {
        file = "input.json"
      }
      resources {
        cpu    = 250
        memory = 128
      }
    }
  }
}`, { Canonicalize: true });
    const t0 = task(job);
    expect(t0.Config).toEqual({ args: ['-p', '${NOMAD_PORT_http}'], image: 'nginx:1.27', labels: [{ team: 'web' }], mount: [{ target: '/data', type: 'bind' }] });
    expect(t0.KillTimeout).toBe(20 * S);
    expect(t0.DispatchPayload).toEqual({ File: 'input.json' });
    expect(t0.Resources).toMatchObject({ CPU: 250, Cores: 0, MemoryMB: 128, MemoryMaxMB: null, DiskMB: null });
    expect(t0.LogConfig).toEqual({ MaxFiles: 10, MaxFileSizeMB: 10, Enabled: null, Disabled: false });
  });

  it('parameterized and periodic blocks (SpecType set for a cron spec; Canonicalize fills the rest)', async () => {
    const param = await parse(`job "batch-param" {
  type = "batch"
  parameterized {
    payload       = "required"
    meta_required = ["customer"]
    meta_optional = ["priority"]
  }
  group "g" {}
}`);
    expect(param.ParameterizedJob).toEqual({ Payload: 'required', MetaRequired: ['customer'], MetaOptional: ['priority'] });
    const periodic = await parse(`job "nightly" {
  type = "batch"
  periodic {
    cron             = "0 3 * * *"
    prohibit_overlap = true
  }
  group "g" {}
}`);
    expect(periodic.Periodic).toEqual({ Enabled: null, Spec: '0 3 * * *', Specs: null, SpecType: 'cron', ProhibitOverlap: true, TimeZone: null });
    const canon = await parse(`job "nightly" {
  type = "batch"
  periodic {
    crons = ["@daily"]
  }
  group "g" {}
}`, { Canonicalize: true });
    expect(canon.Periodic).toEqual({ Enabled: true, Spec: '', Specs: ['@daily'], SpecType: 'cron', ProhibitOverlap: false, TimeZone: 'UTC' });
    // a batch job gets no update strategy, and batch restart and reschedule defaults
    expect(canon.Update).toBeNull();
    expect(canon.TaskGroups[0]).toMatchObject({ Update: null, Migrate: null, RestartPolicy: { Interval: 86400 * S, Attempts: 3 }, ReschedulePolicy: { Attempts: 1, DelayFunction: 'constant' } });
  });

  it('variables and locals are evaluated; the request\'s Variables override defaults; groups keep source order', async () => {
    const hcl = `variable "image" {
  type    = string
  default = "nginx:1.27"
}
variable "count" {
  type    = number
  default = 1
}
locals {
  name = "web-\${var.image}"
}
job "v" {
  group "zeta" {
    count = var.count
    task "t" {
      driver = "docker"
      config {
        image = var.image
      }
      env {
        NAME = local.name
      }
    }
  }
  group "alpha" {}
}`;
    const d = await parse(hcl);
    expect(d.TaskGroups.map((g: any) => g.Name)).toEqual(['zeta', 'alpha']);
    expect(d.TaskGroups[0].Count).toBe(1);
    expect(task(d).Config).toEqual({ image: 'nginx:1.27' });
    expect(task(d).Env).toEqual({ NAME: 'web-nginx:1.27' });
    const v = await parse(hcl, { Variables: 'image = "caddy:2"\ncount = 3\n' });
    expect(v.TaskGroups[0].Count).toBe(3);
    expect(task(v).Config).toEqual({ image: 'caddy:2' });
    expect(task(v).Env).toEqual({ NAME: 'web-caddy:2' });
  });

  it('answers 400 with the position of a syntax error, and refuses an empty spec', async () => {
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: 'job "x" {\n  type = \n}\n' }), 400,
      'Failed to parse job: input.hcl:2,10-3,1: Invalid expression; Expected the start of an expression, but found an invalid expression token.');
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: 'job "x" {\n  group "g" {\n' }), 400,
      /^Failed to parse job: input\.hcl:2,13-14: Unclosed configuration block; /);
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: '' }), 400, 'Job spec is empty');
    expectPlainError(await api('PUT', '/v1/jobs/parse', {}), 400, 'Job spec is empty');
  });

  it('answers 400 for an argument or block a job does not have, an unset variable and a missing job block', async () => {
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: 'job "x" {\n  typo = "service"\n}\n' }), 400,
      'Failed to parse job: input.hcl:2,3-7: Unsupported argument; An argument named "typo" is not expected here.');
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: 'job "x" {\n  group "g" {\n    bogus {}\n  }\n}\n' }), 400,
      'Failed to parse job: input.hcl:3,5-10: Unsupported block type; Blocks of type "bogus" are not expected here.');
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: 'variable "v" {}\njob "x" {}\n' }), 400,
      'Failed to parse job: <nil>: Unset variable "v"; A used variable must be set or have a default value; see https://developer.hashicorp.com/nomad/docs/job-specification/hcl2/variables for details.');
    expectPlainError(await api('PUT', '/v1/jobs/parse', { JobHCL: 'variable "v" {\n  default = 1\n}\n' }), 400,
      'Failed to parse job: <nil>: Missing job block; A job block is required');
  });
});
