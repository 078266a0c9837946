import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export interface AgentCall {
  tool: string;
  args: Record<string, unknown>;
  isError: boolean;
  /** What a model reads: the tool's text content. */
  text: string;
}

/**
 * A scripted stand-in for a model driving the MCP tools through the SDK client: it reads only the answers'
 * text (never structuredContent or Nomad directly), and counts every call, so a scenario can assert how many
 * calls a task took.
 */
export class ScriptedAgent {
  readonly calls: AgentCall[] = [];

  private constructor(private readonly client: Client) {}

  static async connect(url: string, key: string): Promise<ScriptedAgent> {
    const client = new Client({ name: 'scripted-agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }));
    return new ScriptedAgent(client);
  }

  async call(tool: string, args: Record<string, unknown> = {}): Promise<AgentCall> {
    const r = (await this.client.callTool({ name: tool, arguments: args })) as { isError?: boolean; content: Array<{ text?: string }> };
    const done = { tool, args, isError: !!r.isError, text: r.content.map((c) => c.text ?? '').join('\n') };
    this.calls.push(done);
    return done;
  }

  /**
   * A change that needs the user's yes: the first call answers the plan and a token (a tool error that says to ask
   * the user); the user agrees; the same call with the token applies it. Two calls, both counted.
   */
  async confirmed(tool: string, args: Record<string, unknown>): Promise<{ plan: AgentCall; applied: AgentCall }> {
    const plan = await this.call(tool, args);
    const token = /confirm_token "([^"]+)"/.exec(plan.text)?.[1];
    if (!plan.isError || !token) throw new Error(`${tool} answered no plan to confirm: ${plan.text}`);
    const applied = await this.call(tool, { ...args, confirm_token: token });
    return { plan, applied };
  }

  /** The tools called since call number `from`, in order. */
  toolsSince(from = 0): string[] {
    return this.calls.slice(from).map((c) => c.tool);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** The first match of `re` in `text` (its first group), or a failure that shows the text it was not in. */
export function readFrom(text: string, re: RegExp): string {
  const m = re.exec(text);
  if (!m) throw new Error(`${re} not found in the answer:\n${text}`);
  return m[1] ?? m[0];
}
