import { NomadHttpError } from '../wire';

/**
 * `?prefix` on the allocation, evaluation, deployment and node lists: Nomad looks it up in a go-memdb
 * UUIDFieldIndex, which drops the hyphens and decodes the rest to bytes. So "5457f16d0f87" finds
 * "5457f16d-0f87-…", upper case finds lower case, and a prefix that is not whole bytes of hex is an index
 * error that Nomad answers with 500 (its state store adds `lookupFailed`, e.g. "alloc lookup failed: ").
 */
export function uuidPrefixMatcher(prefix: string, lookupFailed: string): (id: string) => boolean {
  const fail = (why: string): never => {
    throw new NomadHttpError(500, `${lookupFailed}index error: ${why}`);
  };
  if (prefix.length > 36) fail(`Invalid UUID length. UUID have 36 characters; got ${prefix.length}`);
  const hyphens = prefix.split('-').length - 1;
  if (hyphens > 4) fail(`UUID should have maximum of 4 "-"; got ${hyphens}`);
  const hex = prefix.replace(/-/g, '');
  if (hex.length % 2 !== 0) fail('Input (without hyphens) must be even length');
  const bad = [...hex].find((c) => !/[0-9a-fA-F]/.test(c));
  // Go's hex.InvalidByteError, %#U of the first byte that is not a hex digit
  if (bad) fail(`Invalid UUID: encoding/hex: invalid byte: U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${bad}'`);
  const want = hex.toLowerCase();
  return (id) => id.replace(/-/g, '').toLowerCase().startsWith(want);
}
