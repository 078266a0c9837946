import type * as ServerModule from '@modelcontextprotocol/sdk/server/index.js';
import type * as StreamableHttpModule from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type * as TypesModule from '@modelcontextprotocol/sdk/types.js';
import type * as AjvModule from '@modelcontextprotocol/sdk/validation/ajv-provider.js';

type McpSdk = typeof ServerModule & typeof StreamableHttpModule & typeof TypesModule & typeof AjvModule;
let sdk: McpSdk | undefined;

/**
 * The MCP SDK's server, transport and request schemas, loaded when the first MCP request (or stdio) needs them:
 * they bring zod and ajv, some 230 modules and a fifth of start-up, which a service answering REST alone never uses.
 * Everything else here imports the SDK's types only (erased when compiled).
 */
export function mcpSdk(): McpSdk {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return (sdk ??= {
    ...(require('@modelcontextprotocol/sdk/types.js') as typeof TypesModule),
    ...(require('@modelcontextprotocol/sdk/server/index.js') as typeof ServerModule),
    ...(require('@modelcontextprotocol/sdk/server/streamableHttp.js') as typeof StreamableHttpModule),
    ...(require('@modelcontextprotocol/sdk/validation/ajv-provider.js') as typeof AjvModule),
  });
}

/** JSON-RPC 2.0's error codes the MCP answers use (the SDK's ErrorCode holds the same numbers). */
export const JsonRpcError = { InvalidRequest: -32600, InvalidParams: -32602, InternalError: -32603 } as const;
