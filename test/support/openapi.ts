import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { missingSpecText, SPEC_FILE, SPEC_REQUIRED, specAvailable } from './nomad-api-spec';

/**
 * Shape checks against HashiCorp's OpenAPI description of Nomad (openapi.yaml, not part of this repository;
 * see nomad-api-spec.js for where it is looked for). The spec is older than the server and wrong in places;
 * ERRATA below applies the corrections of the project's wire-behaviour notes (they win over the spec).
 *
 * Without the spec every check here passes without checking (Jest's globalSetup has said so in one line),
 * unless REQUIRE_NOMAD_API_SPEC=1, where the first check fails instead.
 */

type Schema = Record<string, any>;

/** BEHAVIOUR.md wins over the spec: patches applied to the spec's component schemas before checking. */
const ERRATA: Array<{ schema: string; why: string; patch: (s: Schema) => void }> = [
  {
    schema: 'Deployment',
    why: '§14.8: Deployment has CreateTime/ModifyTime (int64 ns) the spec lacks; harmless, listed for the record',
    patch: (s) => Object.assign(s.properties, { CreateTime: { type: 'integer' }, ModifyTime: { type: 'integer' } }),
  },
];

/**
 * BEHAVIOUR.md §1: Go encodes nil slices, nil maps and nil pointers as `null`, which the generated spec
 * never declares. Objects, arrays and references may therefore be null, and so may these pointer scalars.
 */
const POINTER_SCALARS = new Set([
  'ShutdownDelay', 'MaxClientDisconnect', 'StopAfterClientDisconnect', 'Payload', 'WaitUntil', 'ReservedCores',
  'LastDrain', 'ExpirationTime', 'Count', 'Error', 'Migrate', 'Reschedule', 'ForceReschedule', 'NoShutdownDelay',
  // AllocDeploymentStatus.Healthy (a canary is placed with it nil), DeploymentUpdateResponse.RevertedJobVersion
  'Healthy', 'RevertedJobVersion',
]);

function allowNulls(node: unknown, name = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => allowNulls(n));
  if (!node || typeof node !== 'object') return node;
  const s = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, allowNulls(ps, p)]));
    else out[k] = allowNulls(v);
  }
  if (out.$ref) return { anyOf: [{ $ref: out.$ref }, { type: 'null' }] };
  if (out.type === 'object' || out.type === 'array' || (name && POINTER_SCALARS.has(name))) out.nullable = true;
  return out;
}

let ajv: Ajv | undefined;
let doc: Schema | undefined;

/** True when the spec can be read; false means "skip the shape check" (or a failure, when it is required). */
function haveSpec(): boolean {
  if (specAvailable()) return true;
  if (SPEC_REQUIRED) throw new Error(missingSpecText());
  return false;
}

function spec(): { ajv: Ajv; doc: Schema } {
  if (!ajv || !doc) {
    doc = load(readFileSync(SPEC_FILE, 'utf8')) as Schema;
    for (const e of ERRATA) e.patch(doc.components.schemas[e.schema]);
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Schema>)) {
      const relaxed = allowNulls(schema) as Schema;
      delete relaxed.nullable; // the top-level value itself is never null
      doc.components.schemas[name] = relaxed;
    }
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    // uint64 maxima in the spec (18446744073709552000) are not exact in JS; indexes are checked as integers
    ajv.addSchema({ $id: 'nomad', components: { schemas: doc.components.schemas } });
  }
  return { ajv, doc };
}

const compiled = new Map<string, ValidateFunction>();

/** The 200 response schema the spec declares for METHOD + spec path (e.g. GET /job/{jobName}). */
export function responseSchema(method: string, specPath: string): Schema {
  const { doc } = spec();
  const op = doc.paths[specPath]?.[method.toLowerCase()];
  if (!op) throw new Error(`spec has no ${method} ${specPath}`);
  let res = op.responses['200'];
  if (res?.$ref) res = doc.components.responses[res.$ref.split('/').pop()];
  const schema = res?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`spec declares no JSON body for ${method} ${specPath}`);
  return schema;
}

/** Validates a body against the spec's response schema; returns the errors (empty when it conforms). */
export function specErrors(method: string, specPath: string, body: unknown): string[] {
  if (!haveSpec()) return [];
  const key = `${method} ${specPath}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = JSON.parse(JSON.stringify(responseSchema(method, specPath)).replace(/"#\/components\/schemas\//g, '"nomad#/components/schemas/'));
    validate = spec().ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Validates against a named component schema (for bodies the spec documents only as components). */
export function componentErrors(name: string, body: unknown): string[] {
  if (!haveSpec()) return [];
  const key = `#${name}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = spec().ajv.getSchema(`nomad#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component ${name}`);
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Validates a request body against the spec's requestBody schema for METHOD + spec path. */
export function requestErrors(method: string, specPath: string, body: unknown): string[] {
  if (!haveSpec()) return [];
  const key = `req ${method} ${specPath}`;
  let validate = compiled.get(key);
  if (!validate) {
    const { doc, ajv } = spec();
    const op = doc.paths[specPath]?.[method.toLowerCase()];
    let rb = op?.requestBody;
    if (rb?.$ref) rb = doc.components.requestBodies[rb.$ref.split('/').pop()];
    const schema = rb?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`spec declares no JSON request body for ${method} ${specPath}`);
    validate = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"nomad#/components/schemas/')));
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
