import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

type Schema = Record<string, any>;

/**
 * Touches the Swagger plugin leaves undone, applied to the document once so Swagger UI, the MCP
 * schemas and the Claude tool definitions all see them:
 * - a number validated with @IsInt() is an `integer` (the plugin says `number`, and a model would then
 *   think 1.5 CPUs were fine);
 * - doc comments wrapped over several lines read as one line (paragraph breaks are kept);
 * - every /api/claude operation documents its error answers (see documentErrors).
 */
export function refineOpenApi(document: OpenAPIObject, models: Function[]): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  for (const model of models) {
    const schema = schemas[model.name];
    if (!schema?.properties) continue;
    for (const meta of getMetadataStorage().getTargetValidationMetadatas(model, '', true, false)) {
      if (meta.name !== 'isInt') continue;
      const prop = schema.properties[meta.propertyName];
      if (prop?.type === 'number') prop.type = 'integer';
    }
  }
  unwrapDescriptions(document);
  documentErrors(document);
  return document;
}

/** The body of every error answer (AllExceptionsFilter writes it). */
const ERROR_SCHEMA: Schema = {
  type: 'object',
  description: 'Every error answer: the status, its reason phrase and a message that says what to do next.',
  properties: {
    statusCode: { type: 'integer', example: 404 },
    error: { type: 'string', description: 'The HTTP reason phrase.', example: 'Not Found' },
    message: { type: 'string', description: 'What went wrong.', example: "job 'web' not found in namespace 'development'" },
    next_step: {
      type: 'string',
      description: 'What to do next, when the message does not say it itself.',
      example: 'Call list_jobs with namespace \'development\' to see the jobs there (or namespace "*" for all).',
    },
    errors: {
      type: 'array',
      description: 'Validation failures only (400): each field and why it was refused.',
      items: {
        type: 'object',
        properties: { field: { type: 'string', example: 'job_id' }, reasons: { type: 'array', items: { type: 'string' } } },
        required: ['field', 'reasons'],
      },
    },
    nomad_status: { type: 'integer', description: "Nomad's own HTTP status, when the error came from Nomad.", example: 500 },
  },
  required: ['statusCode', 'error', 'message'],
};

/** Which error answers an operation can give, and what each means to the caller. */
const ERRORS: Array<{ status: number; applies: (op: Schema, method: string) => boolean; description: string }> = [
  { status: 400, applies: takesInput, description: 'Invalid input: `errors` names each refused field and why.' },
  { status: 401, applies: () => true, description: 'No API key, or one the service does not accept: send X-API-Key: <key> or Authorization: Bearer <key>.' },
  { status: 403, applies: () => true, description: "Refused: the request is addressed to a host name (or comes from an origin) the service does not serve, or the caller's own Nomad token (its identity's, or X-Nomad-Token) lacks the ACL capability the operation needs: the message names it, `nomad_capability` holds it." },
  { status: 404, applies: takesInput, description: 'The job, allocation or namespace named does not exist; the message says which (list_jobs shows the jobs there).' },
  { status: 409, applies: (op, method) => method === 'post' && takesInput(op), description: 'Conflict: the job was not created by nomad-mcp, changed meanwhile, or a deployment is in progress; the message says which and what to do.' },
  { status: 413, applies: (op) => !!op.requestBody, description: 'The request body is larger than the service accepts.' },
  { status: 429, applies: () => true, description: 'Too many requests from this client: retry after the seconds in Retry-After.' },
  { status: 502, applies: takesInput, description: "Nomad refused the call (its own text and status are quoted), or the service's Nomad token lacks permission (the message names the ACL capability)." },
  { status: 503, applies: takesInput, description: 'Nomad is unreachable: check NOMAD_ADDR and that the Nomad agent runs.' },
  { status: 504, applies: takesInput, description: 'Nomad did not answer within NOMAD_TIMEOUT_MS.' },
];

function takesInput(op: Schema): boolean {
  return !!op.requestBody || (Array.isArray(op.parameters) && op.parameters.length > 0);
}

/**
 * Adds the error answers to every /api/claude operation, whatever controller declares it, so Swagger UI and
 * generated clients know each status and its body. An answer an operation declares itself is kept.
 */
function documentErrors(document: OpenAPIObject): void {
  const schemas = ((document.components ??= {}).schemas ??= {}) as Record<string, Schema>;
  schemas.ErrorResponse = ERROR_SCHEMA;
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (!path.startsWith('/api/claude/')) continue;
    for (const [method, op] of Object.entries(item as Record<string, Schema>)) {
      if (!op?.responses) continue;
      for (const e of ERRORS) {
        if (!e.applies(op, method) || op.responses[e.status]) continue;
        op.responses[e.status] = {
          description: e.description,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
        };
      }
    }
  }
}

function unwrapDescriptions(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(unwrapDescriptions);
  if (!node || typeof node !== 'object') return;
  const obj = node as Schema;
  if (typeof obj.description === 'string') obj.description = obj.description.replace(/([^\n])\n(?!\n)/g, '$1 ');
  for (const value of Object.values(obj)) unwrapDescriptions(value);
}
