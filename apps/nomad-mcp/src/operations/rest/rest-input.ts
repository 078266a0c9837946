import { Type } from '@nestjs/common';
import { OmitType } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { OperationDefinition } from '../core/operation';

export const REST_PREFIX = 'api/claude';

/** The route's full path: under /api/claude, or as written when it starts with `/` (e.g. /api/audit). */
export function routePath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : `${REST_PREFIX}/${path}`;
}

/** `jobs/:job_id/start` -> ['job_id'] */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

const restInputs = new Map<string, Type<object>>();

/**
 * The class of what a route reads from the query string (GET) or the body (POST): the operation's input
 * without its path parameters, named so Swagger shows it well. Same validators and descriptions, since
 * it is derived from the one input DTO. Undefined when the path holds the whole input (get_allocation):
 * a class without fields would fail class-validator's forbidUnknownValues on every request, and the
 * executor still refuses any field the input does not have.
 */
export function restInputOf(def: OperationDefinition): Type<object> | undefined {
  const omit = pathParams(def.rest.path);
  if (!omit.length) return def.input;
  const rest = getMetadataStorage().getTargetValidationMetadatas(def.input, '', true, false).filter((m) => !omit.includes(m.propertyName));
  if (!rest.length) return undefined;
  const key = `${def.input.name}-${omit.join(',')}`;
  let cls = restInputs.get(key);
  if (!cls) {
    cls = OmitType(def.input as Type<Record<string, unknown>>, omit) as Type<object>;
    Object.defineProperty(cls, 'name', { value: `${def.input.name.replace(/Dto$/, '')}${def.rest.method === 'GET' ? 'Query' : 'Body'}` });
    restInputs.set(key, cls);
  }
  return cls;
}

type Json = Record<string, any>;

/**
 * Swagger documents a path parameter from its TypeScript type alone (`string`, example "string"); this
 * copies its description, pattern and example from the operation's input DTO schema, so the path
 * parameter is described once, in the DTO, like every other field — and "Try it out" works.
 */
export function documentPathParams(document: Json, defs: OperationDefinition[]): void {
  for (const def of defs) {
    const params = pathParams(def.rest.path);
    if (!params.length) continue;
    const path = `/${routePath(def.rest.path).replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`;
    const op = document.paths?.[path]?.[def.rest.method.toLowerCase()];
    const props = document.components?.schemas?.[def.input.name]?.properties ?? {};
    for (const p of op?.parameters ?? []) {
      if (p.in !== 'path' || !props[p.name]) continue;
      const { description, example, ...schema } = props[p.name];
      Object.assign(p, { description, example, schema });
    }
  }
}
