import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call } from './http';

/**
 * One operation call over REST (its own route, or the published POST /api/claude/jobs) or over MCP, and how it
 * ended as the caller saw it: what the audit trail must then hold for it.
 */
export type Via = 'rest' | 'rest-published' | 'mcp';

export interface CallEnd {
  /** ok | invalid | denied | error, read from the answer (status, or the tool error's text). */
  outcome: 'ok' | 'invalid' | 'denied' | 'error';
  /** The HTTP status (REST); null over MCP, which answers tool errors with 200. */
  status: number | null;
  evalId: string | null;
  text: string;
}

export async function mcpClient(url: string, key: string): Promise<Client> {
  const client = new Client({ name: 'e2e-operation-calls', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }));
  return client;
}

const ACTIONS: Record<string, string> = { get_job_status: 'status', start_job: 'start', stop_job: 'stop', restart_job: 'restart' };

/** The REST request of an operation: method, path and body (GET: query) from its tool arguments. */
function restRequest(operation: string, args: Record<string, unknown>, published: boolean): { method: string; path: string; body?: unknown } {
  const { job_id, ...rest } = args;
  const id = encodeURIComponent(String(job_id));
  if (published && ACTIONS[operation]) return { method: 'POST', path: '/api/claude/jobs', body: { ...args, action: ACTIONS[operation] } };
  const query = (o: Record<string, unknown>) => (Object.keys(o).length ? `?${new URLSearchParams(o as Record<string, string>)}` : '');
  switch (operation) {
    case 'create_job': return { method: 'POST', path: '/api/claude/create-job', body: args };
    case 'list_jobs': return { method: 'GET', path: `/api/claude/list-jobs${query(args)}` };
    case 'get_job_status': return { method: 'GET', path: `/api/claude/jobs/${id}${query(rest)}` };
    case 'start_job': case 'stop_job': case 'restart_job':
      return { method: 'POST', path: `/api/claude/jobs/${id}/${operation.split('_')[0]}`, body: rest };
    default: throw new Error(`no REST route for ${operation} in this helper`);
  }
}

/** Calls `operation` as the holder of `key` (MCP through `client`, which must carry the same key). */
export async function callOperation(via: Via, operation: string, args: Record<string, unknown>, target: { url: string; key: string; client: Client }): Promise<CallEnd> {
  if (via === 'mcp') {
    const r = (await target.client.callTool({ name: operation, arguments: args })) as { isError?: boolean; content: Array<{ text?: string }>; structuredContent?: { eval_id?: string | null } };
    const text = r.content.map((c) => c.text ?? '').join('\n');
    const outcome = !r.isError ? 'ok' : text.startsWith('Invalid request') ? 'invalid' : / may not call /.test(text) ? 'denied' : 'error';
    return { outcome, status: null, evalId: r.isError ? null : (r.structuredContent?.eval_id ?? null), text };
  }
  const req = restRequest(operation, args, via === 'rest-published');
  const r = await call(target.url, req.method, req.path, { body: req.body, headers: { 'X-API-Key': target.key } });
  const outcome = r.status < 300 ? 'ok' : r.status === 400 ? 'invalid' : r.status === 403 ? 'denied' : 'error';
  return { outcome, status: r.status, evalId: outcome === 'ok' ? (r.json?.eval_id ?? null) : null, text: r.text };
}
