import { JsonSchema } from './api-document';
import { RestToolSpec } from './tool-catalog';

/** One parameter of a GET endpoint, as the published tool configuration lists it. */
export interface ToolConfigParam {
  name: string;
  type: string;
  description: string;
  required: boolean;
  default: unknown;
  /** added to the published keys: where the value goes (`{job_id}` in the URL, or the query string) */
  in: 'path' | 'query';
  /** added to the published keys, when the field takes only these values */
  enum?: unknown[];
}

export interface ToolConfigEndpoint {
  name: string;
  description: string;
  method: 'GET' | 'POST';
  url: string;
  /** GET endpoints */
  params?: ToolConfigParam[];
  /** POST endpoints: each JSON body field and its type */
  body?: Record<string, string>;
}

export interface RestToolConfig {
  tools: Array<{ name: 'nomad_mcp'; description: string; api_endpoints: ToolConfigEndpoint[] }>;
  base_url: string;
  authentication: { type: 'api_key'; header: 'X-API-Key'; alternative: string };
}

/**
 * GET /api/claude/tool-config in the published configuration's shape. Every name, type, description,
 * requirement and default is read from the DTO's JSON Schema (the OpenAPI document), so nothing here
 * describes a field a second time.
 *
 * `schemaOf` gives a tool input's JSON Schema; `defaultNamespace` is what an omitted namespace means (the DTO
 * says "the service's default", which only the configuration knows).
 */
export function restToolConfig(
  base: string,
  tools: RestToolSpec[],
  schemaOf: (model: string) => JsonSchema,
  defaultNamespace: string,
): RestToolConfig {
  const endpoint = (t: RestToolSpec): ToolConfigEndpoint => {
    const schema = schemaOf(t.input.name);
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const head = { name: t.name, description: t.description, method: t.method, url: `${base}${t.path}` };
    if (t.method === 'POST') {
      return { ...head, body: Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, typeName(p)])) };
    }
    const params = Object.entries(properties).map(([name, p]): ToolConfigParam => {
      const inPath = t.path.includes(`{${name}}`);
      const fallback = name === 'namespace' ? defaultNamespace : null;
      return {
        name, type: typeName(p), description: String(p.description ?? ''), required: inPath || required.has(name),
        default: p.default ?? fallback, in: inPath ? 'path' : 'query', ...(Array.isArray(p.enum) ? { enum: p.enum } : {}),
      };
    });
    return { ...head, params };
  };
  return {
    tools: [{
      name: 'nomad_mcp',
      description:
        'Operate HashiCorp Nomad jobs through the Nomad MCP service: list jobs, check, start, stop or restart one, ' +
        'create a Docker job, read its logs. Send the API key as X-API-Key (or Authorization: Bearer <key>) when the service requires one.',
      api_endpoints: tools.map(endpoint),
    }],
    base_url: base,
    authentication: { type: 'api_key', header: 'X-API-Key', alternative: 'Authorization: Bearer <key>' },
  };
}

/** The JSON type of a field ("string", "integer", "array", …); a nullable field keeps its non-null type. */
function typeName(p: JsonSchema): string {
  const t = p.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return String(t.find((x) => x !== 'null') ?? 'string');
  if (Array.isArray(p.anyOf)) return typeName((p.anyOf as JsonSchema[]).find((s) => s.type !== 'null') ?? {});
  return p.properties ? 'object' : 'string';
}
