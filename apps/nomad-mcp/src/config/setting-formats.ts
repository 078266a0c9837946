/*
 * Formats of settings shared by the validators (setting.validators.ts) and code that must load fast (the CLI's
 * key command): no dependencies here.
 */

/** The items of a comma-separated setting, trimmed, empty ones left out. */
export function commaList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter(Boolean);
}

/** A namespace name or glob: letters, digits, dashes and `*` (NOMAD_MCP_ALLOWED_NAMESPACES, `nomad-mcp key --namespaces`). */
export const NAMESPACE_GLOB = /^[a-zA-Z0-9*-]{1,128}$/;
