import { scanBlocks } from './block-scanner';
import { evaluateString, EvalError } from './evaluate';

describe('scanBlocks', () => {
  it('finds blocks in source order with labels and hcl DefRanges, attributes with their ranges', () => {
    const root = scanBlocks('job "j" {\n  group "zeta" { count = 1 }\n  group "alpha" {\n    task "t" {}\n  }\n}\n');
    const job = root.blocks[0];
    expect(job).toMatchObject({ type: 'job', labels: ['j'], defRange: { start: { line: 1, col: 1 }, end: { line: 1, col: 8 } } });
    expect(job.blocks.map((b) => b.labels[0])).toEqual(['zeta', 'alpha']);
    expect(job.blocks[0].attributes).toEqual([{ name: 'count', range: { start: { line: 2, col: 18 }, end: { line: 2, col: 23 } } }]);
    expect(job.blocks[1].blocks[0]).toMatchObject({ type: 'task', labels: ['t'], typeRange: { start: { line: 4, col: 5 }, end: { line: 4, col: 9 } } });
  });

  it('is not fooled by braces in strings, interpolations, heredocs, comments and object values', () => {
    const src = [
      'job "j" {',
      '  # group "commented" {}',
      '  meta = { a = "}" }',
      '  x = "${ "}" } {"',
      '  /* group "c" { } */',
      '  t = <<EOT',
      'group "in-heredoc" {',
      'EOT',
      '  group "real" {}',
      '}',
    ].join('\n');
    const job = scanBlocks(src).blocks[0];
    expect(job.blocks.map((b) => `${b.type} ${b.labels.join()}`)).toEqual(['group real']);
    expect(job.attributes.map((a) => a.name)).toEqual(['meta', 'x', 't']);
  });
});

describe('evaluateString', () => {
  const scope = { vars: { image: 'nginx:1.27', n: 3, list: ['a'] }, locals: { tag: 'v1' }, source: 'x = var.nope' };

  it('evaluates var and local references, keeps runtime interpolations and undoes escapes', () => {
    expect(evaluateString('${var.n}', scope)).toBe(3);
    expect(evaluateString('${var.image}-${local.tag}', scope)).toBe('nginx:1.27-v1');
    expect(evaluateString('${var.list[0]}', scope)).toBe('a');
    expect(evaluateString('${NOMAD_PORT_http}:${attr.unique.network.ip-address}', scope)).toBe('${NOMAD_PORT_http}:${attr.unique.network.ip-address}');
    expect(evaluateString('$${var.image}', scope)).toBe('${var.image}');
  });

  it('refuses what it cannot evaluate, saying so', () => {
    expect(() => evaluateString('${var.nope}', scope)).toThrow(EvalError);
    expect(() => evaluateString('${upper("x")}', scope)).toThrow(/evaluates var\.\* and local\.\* references only/);
    // the expression is located, not quoted: it may hold a secret
    expect(() => evaluateString('${lower("SECRET-1")}', scope)).toThrow(/^(?![\s\S]*SECRET-1)[\s\S]*references only/);
    expect(() => evaluateString('a ${var.list}', scope)).toThrow(/Invalid template interpolation value/);
  });
});
