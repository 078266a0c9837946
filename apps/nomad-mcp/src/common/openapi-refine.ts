import type { OpenAPIObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

type Schema = Record<string, any>;

/**
 * Two touches the Swagger plugin leaves undone, applied to the document once so Swagger UI, the MCP
 * schemas and the Claude tool definitions all see them:
 * - a number validated with @IsInt() is an `integer` (the plugin says `number`, and a model would then
 *   think 1.5 CPUs were fine);
 * - doc comments wrapped over several lines read as one line (paragraph breaks are kept).
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
  return document;
}

function unwrapDescriptions(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(unwrapDescriptions);
  if (!node || typeof node !== 'object') return;
  const obj = node as Schema;
  if (typeof obj.description === 'string') obj.description = obj.description.replace(/([^\n])\n(?!\n)/g, '$1 ');
  for (const value of Object.values(obj)) unwrapDescriptions(value);
}
