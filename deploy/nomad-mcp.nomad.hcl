# Nomad MCP as a Nomad job: two replicas of the Docker image, secrets from Nomad Variables, Nomad access through
# the task's workload identity, health checks that gate every rollout, one canary and automatic revert.
#
#   nomad var put -namespace default nomad/jobs/nomad-mcp database_url=... confirm_secret=... identities=@identities.yaml
#   nomad acl policy apply -namespace default -job nomad-mcp nomad-mcp deploy/nomad-mcp.policy.hcl
#   nomad job run -var image=registry.example.com/nomad-mcp:0.1.0 deploy/nomad-mcp.nomad.hcl
#
# README "Run it on Nomad" explains each step.

variable "image" {
  type        = string
  description = "The Docker image built from this repository's Dockerfile."
  default     = "nomad-mcp:0.1.0"
}

job "nomad-mcp" {
  type = "service"
  # The namespace the job runs in: its variables (nomad/jobs/nomad-mcp) and the policy attached to its
  # workload identity (-namespace in `nomad acl policy apply`) live there too.
  namespace = "default"

  group "nomad-mcp" {
    # Two replicas share one audit trail and confirmation secret (Postgres and NOMAD_MCP_CONFIRM_SECRET below),
    # so a change confirmed on one is confirmed on both. Nomad spreads them over nodes when it can.
    count = 2

    # One new allocation first (the canary), kept as long as its checks pass for min_healthy_time; then a
    # person promotes it (`nomad deployment promote`, or promote_deployment from an agent with that scope) and
    # the old ones are replaced one at a time. A canary that fails its checks reverts the job to the last
    # stable version.
    update {
      max_parallel      = 1
      canary            = 1
      auto_promote      = false
      auto_revert       = true
      health_check      = "checks"
      min_healthy_time  = "10s"
      healthy_deadline  = "3m"
      progress_deadline = "10m"
    }

    network {
      port "http" {
        # the port the image listens on (PORT=8000); Nomad maps a dynamic host port to it
        to = 8000
      }
    }

    service {
      name     = "nomad-mcp"
      port     = "http"
      provider = "nomad"
      tags     = ["mcp", "http"]

      # Alive: the process answers. Restarted by Nomad when it stops answering.
      check {
        name     = "alive"
        type     = "http"
        path     = "/health/live"
        interval = "10s"
        timeout  = "3s"

        check_restart {
          limit = 3
          grace = "30s"
        }
      }

      # Ready: it can serve (Nomad and the audit database answer). Deployments wait for it; while it fails
      # the replica is left out of the service's healthy instances but not restarted.
      check {
        name     = "ready"
        type     = "http"
        path     = "/health/ready"
        interval = "10s"
        timeout  = "5s"
      }
    }

    task "nomad-mcp" {
      driver = "docker"

      config {
        image = var.image
        ports = ["http"]
      }

      # The task's workload identity as NOMAD_TOKEN: what it may do in Nomad is the ACL policy attached to
      # this job (deploy/nomad-mcp.policy.hcl, `nomad acl policy apply -job nomad-mcp`). No token to store
      # or rotate.
      #
      # Instead, with a token of its own (nomad acl token create -policy nomad-mcp): drop this block, put the
      # token into the variable (`nomad_token=...`) and add `NOMAD_TOKEN={{ .nomad_token }}` to the env
      # template below. The Task API takes ACL tokens too; to reach the agent's HTTP API instead, set
      # NOMAD_ADDR = "http://${attr.unique.network.ip-address}:4646" (https and NOMAD_CACERT where it has TLS).
      identity {
        env = true
      }

      env {
        # Nomad's Task API: a Unix socket in the task's secrets directory that carries the local agent's HTTP
        # API, no TLS to set up, authenticated by the identity above (Nomad 1.10.3+ also offers it as
        # ${NOMAD_UNIX_ADDR}).
        NOMAD_ADDR = "unix://${NOMAD_SECRETS_DIR}/api.sock"
        HOST       = "0.0.0.0"
        PORT       = "8000"
        # the identities file the template below writes; re-read by the service whenever it changes
        API_KEYS_FILE = "${NOMAD_SECRETS_DIR}/identities.yaml"
        # identities-file callers confirm destructive changes with a second call
        NOMAD_MCP_CONFIRM = "destructive"
        LOG_FORMAT        = "json"
      }

      # Secrets from the variable nomad/jobs/nomad-mcp, which the job's workload identity may read without any
      # policy. A missing item stops the task from starting (error_on_missing_key) rather than letting a
      # replica start on a trail of its own. A change to the variable restarts the task.
      template {
        destination          = "secrets/nomad-mcp.env"
        env                  = true
        change_mode          = "restart"
        error_on_missing_key = true
        data                 = <<-EOT
        {{ with nomadVar "nomad/jobs/nomad-mcp" -}}
        DATABASE_URL={{ .database_url }}
        NOMAD_MCP_CONFIRM_SECRET={{ .confirm_secret }}
        {{- end }}
        EOT
        # To share rate-limit counts between the replicas, add redis_url to the variable and this line above
        # (inside the with):  REDIS_URL={{ .redis_url }}
      }

      # Who may call the service: the identities file (names, key hashes, scopes, namespaces). The service
      # re-reads it when it changes, so a new key needs no restart.
      template {
        destination          = "secrets/identities.yaml"
        change_mode          = "noop"
        error_on_missing_key = true
        data                 = <<-EOT
        {{ with nomadVar "nomad/jobs/nomad-mcp" }}{{ .identities }}{{ end }}
        EOT
      }

      resources {
        # a Node.js process at rest uses ~100 MB. Where the cluster enables memory oversubscription, add
        # memory_max = 512 to let it burst (elsewhere Nomad ignores it and warns at plan time)
        cpu        = 200
        memory     = 256
      }

      # the service finishes calls in flight before it exits
      kill_timeout = "20s"
    }
  }
}
