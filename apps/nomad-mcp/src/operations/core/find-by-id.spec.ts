import { BadRequestException } from '@nestjs/common';
import { NomadApiError } from '@nomad-mcp/nomad';
import { findById, IdLookup, ObjectNotFoundException } from './find-by-id';
import type { OperationContext } from './operation';

type Obj = { ID: string; Namespace?: string };
const A = 'abcdef12-3456-7890-abcd-ef1234567890';
const B = 'abcdef12-3499-7890-abcd-ef1234567890';
const C = 'c0ffee00-0000-0000-0000-000000000000';
const objects: Obj[] = [{ ID: A, Namespace: 'dev' }, { ID: B, Namespace: 'prod' }, { ID: C, Namespace: 'dev' }];

/** A caller that may see `dev` only; records the namespaces the call was noted in. */
function caller() {
  const noted: string[] = [];
  const ctx = { visible: (ns: string) => ns === 'dev', namespace: (ns?: string) => (noted.push(ns!), ns!) } as unknown as OperationContext;
  return { ctx, noted };
}

function lookup(asked: string[]): IdLookup<Obj> {
  return {
    what: 'allocation', field: 'alloc_id', namespaced: true, nextStep: 'Call list_allocations.',
    get: async (id) => {
      const o = objects.find((x) => x.ID === id);
      if (!o) throw new NomadApiError(404, 'alloc not found', `GET /v1/allocation/${id}`);
      return o;
    },
    // what Nomad's UUID index would answer for a prefix of whole bytes
    list: async (prefix) => {
      asked.push(prefix);
      return objects.filter((o) => o.ID.replace(/-/g, '').startsWith(prefix.replace(/-/g, '')));
    },
  };
}

describe('findById', () => {
  it('asks Nomad in whole bytes and matches the odd last digit itself', async () => {
    const asked: string[] = [];
    const { ctx, noted } = caller();
    expect(await findById(ctx, 'ABCDEF12-34', lookup(asked))).toEqual(objects[0]);
    expect(asked).toEqual(['abcdef12-34']);
    // 9 hex digits: Nomad gets 8, the 9th picks A over B (both abcdef12-34…)
    expect(await findById(ctx, 'abcdef12-345', lookup(asked))).toEqual(objects[0]);
    expect(asked[1]).toBe('abcdef12-34');
    expect(await findById(ctx, 'abcdef123', lookup(asked))).toEqual(objects[0]);
    expect(asked[2]).toBe('abcdef12');
    expect(noted).toEqual(['dev', 'dev', 'dev']);
  });

  it('refuses a prefix that names several objects the caller may see, naming them', async () => {
    const both = lookup([]);
    const ctx = { visible: () => true, namespace: (ns?: string) => ns! } as unknown as OperationContext;
    const err = await findById(ctx, 'abcdef12', both).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err.getResponse().message).toBe("alloc_id 'abcdef12' matches 2 allocations (abcdef12-3456, abcdef12-3499); give more characters of the ID");
  });

  it("answers not found, with the next step, for an unknown ID and alike for another namespace's object", async () => {
    const { ctx, noted } = caller();
    // B is in prod: by prefix it is not a candidate (A alone matches), by full ID it is not found
    expect(await findById(ctx, 'abcdef12', lookup([]))).toEqual(objects[0]);
    for (const id of [B, 'abcdef12-3499', '0123abcd', C.replace('c0ffee00', 'c0ffee01')]) {
      const err = await findById(ctx, id, lookup([])).catch((e) => e);
      expect(err).toBeInstanceOf(ObjectNotFoundException);
      expect(err.getResponse()).toEqual({ message: `allocation '${id}' not found`, next_step: 'Call list_allocations.' });
    }
    expect(noted).toEqual(['dev']);
  });
});
