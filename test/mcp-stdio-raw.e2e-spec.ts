import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startStack, Stack } from './support/stack';

/**
 * Over stdio the SDK parses each line before any of our code sees it, and its parsing drops a key named
 * `__proto__`: the raw line must be checked first, or `stop_job {"job_id":…, "__proto__":…}` would run.
 */
describe('MCP over stdio: raw tool arguments are checked before the SDK parses them', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
  });
  afterAll(() => s.close());

  it('answers a tools/call with a __proto__ key as a tool error, and Nomad sees no stop', async () => {
    const child = spawn(process.execPath, [resolve(__dirname, '../bin/nomad-mcp.js'), '--stdio'], {
      env: { NOMAD_ADDR: s.sim!.url, LOG_LEVEL: 'silent', PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    try {
      const answers = new Map<number, any>();
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const msg = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (msg.id !== undefined) answers.set(msg.id, msg);
        }
      });
      const answer = async (id: number) => {
        for (let i = 0; i < 200 && !answers.has(id); i++) await new Promise((r) => setTimeout(r, 50));
        return answers.get(id);
      };
      const send = (line: string) => child.stdin.write(`${line}\n`);
      send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
      expect((await answer(1))?.result?.serverInfo?.name).toBe('nomad-mcp');
      send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      // a line that is not JSON gets JSON-RPC's parse error (the SDK would only report it to itself)
      const before = answers.size;
      send('this is not json');
      for (let i = 0; i < 100 && !answers.has(null as unknown as number); i++) await new Promise((r) => setTimeout(r, 50));
      expect(answers.get(null as unknown as number)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the line is not JSON; send one JSON-RPC message per line.' } });
      expect(answers.size).toBe(before + 1);
      // written by hand: JSON.stringify would never emit a __proto__ key
      send('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"stop_job","arguments":{"job_id":"example-job","namespace":"development","__proto__":"x"}}}');
      const refused = await answer(2);
      expect(refused.result.isError).toBe(true);
      expect(refused.result.content[0].text).toMatch(/^Invalid request: __proto__: .*Fix those arguments and call the tool again\.$/);
      // the same call without the key runs: the guard passes ordinary lines through
      send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_job_status', arguments: { job_id: 'example-job' } } }));
      expect((await answer(3)).result.structuredContent.job_id).toBe('example-job');
      expect(s.nomadTraffic.some((l) => l.startsWith('DELETE /v1/job/example-job'))).toBe(false);
    } finally {
      child.kill();
    }
  });

  it('answers the calls still running when the client closes its input right after them (the last without its newline), then exits', async () => {
    const child = spawn(process.execPath, [resolve(__dirname, '../bin/nomad-mcp.js'), 'stdio'], {
      env: { NOMAD_ADDR: s.sim!.url, LOG_LEVEL: 'silent', PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    try {
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      // all at once, then end of input: what `printf … | nomad-mcp stdio` does
      child.stdin.end([
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } }),
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_job_status', arguments: { job_id: 'example-job' } } }),
        // null arguments (some clients send them for a tool that takes none), and no newline after the last line
        JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_jobs', arguments: null } }),
      ].join('\n'));
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20000))]);
      expect(code).toBe(0);
      const answers = out.trim().split('\n').map((l) => JSON.parse(l));
      expect(answers.map((a) => a.id).sort()).toEqual([1, 2, 3]);
      expect(answers.find((a) => a.id === 2).result.structuredContent.job_id).toBe('example-job');
      expect(answers.find((a) => a.id === 3).result.isError).toBeFalsy();
    } finally {
      child.kill();
    }
  });
});
