import { HclError, syntaxErrorText } from './diagnostics';

/**
 * HashiCorp's HCL2 parser (hcl/v2's hclsyntax, built to WebAssembly by @cdktf/hcl2json). It checks the
 * syntax exactly as Nomad's parser does and answers the body as JSON: attributes as values (expressions as
 * their `${...}` source text), blocks as lists, labelled blocks as objects keyed by label.
 * Loaded on first use: the WebAssembly module takes a few hundred milliseconds to compile.
 */
type Hcl2Json = { parse(filename: string, contents: string): Promise<Record<string, unknown>> };

let parser: Hcl2Json | undefined;

function load(): Hcl2Json {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser ??= require('@cdktf/hcl2json') as Hcl2Json;
  return parser;
}

export async function hclToJson(file: string, source: string): Promise<Record<string, unknown>> {
  try {
    return await load().parse(file, source);
  } catch (e) {
    throw new HclError(syntaxErrorText(e instanceof Error ? e.message : String(e), file), file);
  }
}
