import { Transform, TransformCallback, Writable } from 'node:stream';
import { normalizeToolCall, rawArgumentRefusal } from '../common/mcp-raw-arguments';

/**
 * Between stdin and the MCP stdio transport: a tools/call whose raw arguments fail the raw-input check
 * (keys such as `__proto__` or `constructor`, lone surrogates, deep nesting) is answered here with the tool
 * error the tool itself would give, and never reaches the SDK — whose own parsing would silently drop such
 * keys and run the tool anyway; so is a tools/call whose params are not a call, and a line that is not JSON
 * (JSON-RPC's parse error). Over HTTP, McpRawArgumentInterceptor does the same. Every other line passes.
 */
export function guardStdioInput(out: Writable): Transform {
  let pending = '';
  /** Answers or passes on one line (with its newline). */
  const handle = (stream: Transform, line: string) => {
    const checked = check(line);
    if ('refusal' in checked) out.write(`${checked.refusal}\n`);
    else stream.push(checked.line);
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        handle(this, line);
      }
      done();
    },
    // a last message without its newline (printf '%s' … | nomad-mcp stdio) is still a message: the SDK reads
    // only whole lines, so it gets one
    flush(done: TransformCallback) {
      if (pending.trim()) handle(this, `${pending}\n`);
      done();
    },
  });
}

/** A line's fate: refused (the answer to write back), or passed on (as it came, or with null arguments made {}). */
function check(line: string): { refusal: string } | { line: string } {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    // the SDK would only report it to itself: the client gets JSON-RPC's parse error (a blank line is no message)
    if (!line.trim()) return { line };
    return { refusal: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the line is not JSON; send one JSON-RPC message per line.' } }) };
  }
  const refusal = rawArgumentRefusal(message);
  if (refusal) return { refusal: JSON.stringify(refusal) };
  return normalizeToolCall(message) ? { line: `${JSON.stringify(message)}\n` } : { line };
}
