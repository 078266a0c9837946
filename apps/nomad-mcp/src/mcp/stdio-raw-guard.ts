import { Transform, TransformCallback, Writable } from 'node:stream';
import { rawArgumentRefusal } from '../common/mcp-raw-arguments';

/**
 * Between stdin and the MCP stdio transport: a tools/call whose raw arguments fail the raw-input check
 * (keys such as `__proto__` or `constructor`, lone surrogates, deep nesting) is answered here with the tool
 * error the tool itself would give, and never reaches the SDK — whose own parsing would silently drop such
 * keys and run the tool anyway; so is a tools/call whose params are not a call, and a line that is not JSON
 * (JSON-RPC's parse error). Over HTTP, McpRawArgumentInterceptor does the same. Every other line passes.
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
    // the SDK would only report it to itself: the client gets JSON-RPC's parse error (a blank line is no message)
    if (!line.trim()) return undefined;
    return JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the line is not JSON; send one JSON-RPC message per line.' } });
  }
  const refusal = rawArgumentRefusal(message);
  return refusal && JSON.stringify(refusal);
}
