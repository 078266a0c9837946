import { BadRequestException, NotFoundException } from '@nestjs/common';
import { NomadApiError } from '@nomad-mcp/nomad';
import type { OperationContext } from './operation';

const FULL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHOWN_CANDIDATES = 5;

/**
 * An object asked for by ID that the caller cannot have: it does not exist, or it lives in a namespace the
 * caller may not see — one answer for both, so the existence of other namespaces' objects does not leak.
 */
export class ObjectNotFoundException extends NotFoundException {
  constructor(what: string, id: string, nextStep: string) {
    super({ message: `${what} '${id}' not found`, next_step: nextStep });
  }
}

/** How to find one kind of object by ID: Allocation, evaluation, deployment, node. */
export interface IdLookup<T extends { ID: string; Namespace?: string }> {
  /** "allocation", "evaluation"… (in messages). */
  what: string;
  /** The input field that holds the ID (named in a 400). */
  field: string;
  /** Nomad's read of one object by its full ID. */
  get(id: string): Promise<T>;
  /** Nomad's list with `?prefix` (whole bytes of hex), over every namespace the service's token may read. */
  list(prefix: string): Promise<Array<{ ID: string; Namespace?: string }>>;
  /** Objects that live in a namespace are checked against the caller's namespaces. */
  namespaced: boolean;
  /** What to call to find a right ID (the 404's next_step). */
  nextStep: string;
}

/**
 * The object a full ID or a unique prefix of at least 8 hex characters names, as `nomad alloc status <prefix>`
 * finds it: a prefix is looked up with Nomad's list (its UUID index matches whole bytes, so an odd last digit
 * is matched here), then the object is read whole. The caller's namespaces bound both steps, and the
 * object's namespace becomes the call's namespace (audit, events).
 */
export async function findById<T extends { ID: string; Namespace?: string }>(ctx: OperationContext, input: string, lookup: IdLookup<T>): Promise<T> {
  const id = input.toLowerCase();
  const notFound = () => new ObjectNotFoundException(lookup.what, input, lookup.nextStep);
  const visible = (o: { Namespace?: string }) => !lookup.namespaced || (o.Namespace !== undefined && ctx.visible(o.Namespace));
  let fullId = id;
  if (!FULL_UUID.test(id)) {
    const hex = id.replace(/-/g, '');
    const trimmed = id.replace(/-+$/, '');
    const wholeBytes = hex.length % 2 ? trimmed.slice(0, -1).replace(/-+$/, '') : trimmed;
    const matches = (await lookup.list(wholeBytes)).filter((o) => o.ID.replace(/-/g, '').startsWith(hex) && visible(o));
    if (!matches.length) throw notFound();
    if (matches.length > 1) {
      const shown = matches.slice(0, SHOWN_CANDIDATES).map((o) => o.ID.slice(0, 13)).join(', ');
      throw new BadRequestException({
        message: `${lookup.field} '${input}' matches ${matches.length} ${lookup.what}s (${shown}${matches.length > SHOWN_CANDIDATES ? ', …' : ''}); give more characters of the ID`,
        errors: [{ field: lookup.field, reasons: ['matches more than one ID'] }],
      });
    }
    fullId = matches[0].ID;
  }
  const found = await lookup.get(fullId).catch((err) => {
    throw err instanceof NomadApiError && err.isNotFound ? notFound() : err;
  });
  if (!visible(found)) throw notFound();
  if (lookup.namespaced && found.Namespace) ctx.namespace(found.Namespace);
  return found;
}
