import { Transform, TransformCallback, Writable } from 'node:stream';
import { rawArgumentRefusal } from '../common/mcp-raw-arguments';

/**
 * Between stdin and the MCP stdio transport: a tools/call whose raw arguments fail the raw-input check
 * (keys such as `__proto__` or `constructor`, lone surrogates, deep nesting) is answered here with the tool
 * error the tool itself would give, and never reaches the SDK — whose own parsing would silently drop such
 * keys and run the tool anyway. Over HTTP, McpRawArgumentInterceptor does the same. Every other line passes.
 */
export function guardStdioInput(out: Writable): Transform {
  let pending = '';
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        const refusal = refusalFor(line);
        if (refusal) out.write(`${refusal}\n`);
        else this.push(line);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (pending) this.push(pending);
      done();
    },
  });
}

function refusalFor(line: string): string | undefined {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return undefined; // the SDK answers a parse error itself
  }
  const refusal = rawArgumentRefusal(message);
  return refusal && JSON.stringify(refusal);
}
