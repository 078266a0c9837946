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

/**
 * OTLP exporter headers, `key=value,key2=value2` with URL-encoded values (OpenTelemetry's format);
 * undefined when an item is not a pair or a value does not decode.
 */
export function parseOtlpHeaders(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const item of commaList(text)) {
    const at = item.indexOf('=');
    const key = item.slice(0, at).trim();
    if (at < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) return undefined;
    try {
      headers[key.toLowerCase()] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      return undefined;
    }
  }
  return headers;
}
