import { request } from 'node:https';
import { Readable } from 'node:stream';

/**
 * A fetch that trusts the CA `ca` (PEM) for https URLs: Node's own fetch cannot be given a CA (only the whole
 * process can, at start), node:https can. Enough for `call` and the MCP SDK's client transport.
 */
export function fetchTrusting(ca: string | Buffer): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body == null ? undefined : String(init.body);
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, ca, signal: init.signal ?? undefined }, (res) => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) answer.append(name, v);
        const status = res.statusCode ?? 0;
        const empty = [204, 205, 304].includes(status);
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream), { status, headers: answer }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }) as typeof fetch;
}

/** A tiny fetch wrapper for tests: raw status, headers and text, plus parsed JSON when it parses. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; signal?: AbortSignal; ca?: string | Buffer } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await (opts.ca ? fetchTrusting(opts.ca) : fetch)(base + path, { method, headers, body, signal: opts.signal, redirect: 'manual' });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Polls until `check` returns a truthy value or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false | null>, timeoutMs = 15000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const uniqueId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
