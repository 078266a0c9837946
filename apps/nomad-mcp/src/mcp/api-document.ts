import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

export type JsonSchema = Record<string, unknown>;

/**
 * Holds the OpenAPI document @nestjs/swagger builds from the DTOs, and turns a DTO's component schema into
 * a self-contained JSON Schema: the one source for Swagger, MCP input schemas and Claude tool definitions.
 */
@Injectable()
export class ApiDocument {
  private document?: OpenAPIObject;
  private build?: () => OpenAPIObject;

  /**
   * The document, or how to build it: it is built on first use (the first tool list or /api/docs), not at
   * start-up, where scanning every route and DTO cost a good part of the time to ready.
   */
  set(document: OpenAPIObject | (() => OpenAPIObject)): void {
    if (typeof document === 'function') {
      this.document = undefined;
      this.build = document;
    } else this.document = document;
  }

  get(): OpenAPIObject {
    if (!this.document && this.build) this.document = this.build();
    if (!this.document) throw new Error('OpenAPI document not built yet: call configureApp() before serving tools');
    return this.document;
  }

  /**
   * The JSON Schema of a DTO class: $refs inlined, OpenAPI's `example` turned into `examples` and its
   * `nullable` into a `null` type, so any JSON Schema validator (the MCP SDK's, Anthropic's) reads it alike.
   * Inputs are closed (`additionalProperties: false`), as the REST validation is.
   */
  schemaOf(modelName: string, { closed = true } = {}): JsonSchema {
    const schemas = (this.get().components?.schemas ?? {}) as Record<string, JsonSchema>;
    const root = schemas[modelName];
    if (!root) throw new Error(`no schema named ${modelName} in the OpenAPI document`);
    const inline = (node: unknown, seen: string[]): unknown => {
      if (Array.isArray(node)) return node.map((n) => inline(n, seen));
      if (!node || typeof node !== 'object') return node;
      const obj = node as Record<string, unknown>;
      if (typeof obj.$ref === 'string') {
        const name = obj.$ref.replace('#/components/schemas/', '');
        if (seen.includes(name)) throw new Error(`recursive schema ${name}`);
        return inline(schemas[name], [...seen, name]);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        if (k === 'example') out.examples = [v];
        else if (k === 'nullable') continue;
        else if (k === 'properties' && v && typeof v === 'object') {
          out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, inline(s, seen)]));
        } else out[k] = inline(v, seen);
      }
      return obj.nullable === true ? allowNull(out) : out;
    };
    const schema = inline(root, [modelName]) as JsonSchema;
    return closed ? { type: 'object', ...schema, additionalProperties: false } : { type: 'object', ...schema };
  }
}

/** OpenAPI 3.0 `nullable: true` in JSON Schema terms. */
function allowNull(schema: Record<string, unknown>): Record<string, unknown> {
  const { allOf, type, ...rest } = schema;
  if (Array.isArray(allOf) && allOf.length === 1) return { ...rest, anyOf: [allOf[0], { type: 'null' }] };
  if (typeof type === 'string') return { ...rest, type: [type, 'null'] };
  return { ...rest, anyOf: [{ ...(type ? { type } : {}), ...(allOf ? { allOf } : {}) }, { type: 'null' }] };
}
