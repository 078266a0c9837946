import { redactHcl } from './hcl-redact';

describe('redactHcl', () => {
  it('hides env values (block, map, one line), template data and secret-named attributes; keeps names and the rest', () => {
    const hcl = [
      'job "web" {',
      '  meta { team = "shop" }',
      '  group "web" {',
      '    task "nginx" {',
      '      driver = "docker"',
      '      config {',
      '        image = "nginx:1.27"',
      '      }',
      '      env {',
      '        API_TOKEN = "hunter2"',
      '        LOG_LEVEL = "info"',
      '      }',
      '      env = { DB_URL = "postgres://u:pw@db", MODE = prod }',
      '      template {',
      '        data = <<EOH',
      'password={{ key "db/pw" }}',
      'EOH',
      '        destination = "local/app.env"',
      '      }',
      '      vault { token = "s.abc" }',
      '      service_password = "pw"',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const out = redactHcl(hcl);
    for (const secret of ['hunter2', 'info', 'postgres://', 'prod', '{{ key', 's.abc', '"pw"']) expect(out).not.toContain(secret);
    expect(out).toContain('API_TOKEN = "(hidden)"');
    expect(out).toContain('LOG_LEVEL = "(hidden)"');
    expect(out).toContain('env = { DB_URL = "(hidden)", MODE = "(hidden)" }');
    expect(out).toContain('data = "(hidden)"');
    expect(out).toContain('destination = "local/app.env"');
    expect(out).toContain('image = "nginx:1.27"');
    expect(out).toContain('meta { team = "shop" }');
    expect(out).toContain('service_password = "(hidden)"');
  });

  it('keeps a heredoc that is not secret whole, and what it does not recognise as it was', () => {
    const hcl = 'task "t" {\n  config {\n    args = <<EOF\nhello {\nEOF\n  }\n  env {\n    A = "b"\n  }\n}';
    const out = redactHcl(hcl);
    expect(out).toContain('hello {');
    expect(out).toContain('A = "(hidden)"');
  });

  it('hides variable defaults (they feed env), and the password of any URL, where no name says secret', () => {
    const hcl = [
      'variable "db_pass" {',
      '  type    = string',
      '  default = "LEAK-A"',
      '  description = "the database password"',
      '}',
      'variable "settings" {',
      '  default = {',
      '    dsn = "LEAK-B"',
      '  }',
      '}',
      'variable "region" { default = "LEAK-C" }',
      'locals {',
      '  conn = "postgres://app:LEAK-D@db:5432/x"',
      '  host = "db.internal"',
      '}',
      'job "web" {',
      '  meta { db_password = "LEAK-E" }',
      '  group "g" {',
      '    task "t" {',
      '      config { args = ["--url", "https://user:LEAK-F@example.com/path"] }',
      '      env = { DB_PASSWORD = var.db_pass }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const out = redactHcl(hcl);
    for (const leak of ['LEAK-A', 'LEAK-B', 'LEAK-C', 'LEAK-D', 'LEAK-E', 'LEAK-F']) expect(out).not.toContain(leak);
    expect(out).toContain('type    = string');
    expect(out).toContain('description = "the database password"');
    expect(out).toContain('conn = "postgres://app:(hidden)@db:5432/x"');
    expect(out).toContain('host = "db.internal"');
    expect(out).toContain('https://user:(hidden)@example.com/path');
  });

  it("hides the values of secret-named command-line flags in args, on one line or over several; keeps the other words", () => {
    const hcl = [
      '      config {',
      '        args = ["--port", "8080", "--password", "LEAK-1", "--api-key=LEAK-2", "-v"]',
      '        command = "/bin/app"',
      '        args = [',
      '          "--db-token",',
      '          "LEAK-3",',
      '          "--name", "web", "DB_PASSWORD=LEAK-4", "MODE=fast",',
      '        ]',
      '        entrypoint = ["/bin/app", "--token"]',
      '        image = "app:1.2"',
      '      }',
    ].join('\n');
    expect(redactHcl(hcl).split('\n')).toEqual([
      '      config {',
      '        args = ["--port", "8080", "--password", "(hidden)", "--api-key=(hidden)", "-v"]',
      '        command = "/bin/app"',
      '        args = [',
      '          "--db-token",',
      '          "(hidden)",',
      '          "--name", "web", "DB_PASSWORD=(hidden)", "MODE=fast",',
      '        ]',
      '        entrypoint = ["/bin/app", "--token"]',
      '        image = "app:1.2"',
      '      }',
    ]);
  });

  it('hides a hidden value that goes on over several lines to its end, and keeps what follows', () => {
    const hcl = [
      'variable "db_creds" {',
      '  default = [',
      '    "LEAK-1",',
      '    { inner = "LEAK-2" },',
      '  ]',
      '}',
      'job "web" {',
      '  meta { api-key = "LEAK-3", team = "shop" }',
      '  group "g" {',
      '    task "t" {',
      '      config { args = ["--cache", "redis://:LEAK-4@cache:6379", "postgres://u:LEAK/5@db"] }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    const out = redactHcl(hcl);
    for (const leak of ['LEAK-1', 'LEAK-2', 'LEAK-3', 'LEAK-4', 'LEAK/5']) expect(out).not.toContain(leak);
    expect(out).toContain('  default = "(hidden)"\n}\njob "web" {');
    expect(out).toContain('team = "shop"');
    expect(out).toContain('redis://:(hidden)@cache:6379');
  });
});
