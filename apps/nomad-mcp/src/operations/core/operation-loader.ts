import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { definitionOf, OperationClass, OperationDefinition } from './operation';

/** The folder that holds the operation files, one sub-folder per resource (jobs/, allocations/, ...). */
export const OPERATIONS_DIR = join(__dirname, '..');

const OP_FILE = /\.op\.(ts|js)$/;

/**
 * The operation files a bundle holds, by path below OPERATIONS_DIR (scripts/bundle.js writes them into the
 * bundled copy of this line, since a bundle has no folder to read); undefined as built or under ts-jest.
 */
const BUNDLED: Record<string, () => Record<string, unknown>> | undefined = undefined;

function opFiles(dir: string): string[] {
  if (BUNDLED && (dir === OPERATIONS_DIR || dir.startsWith(OPERATIONS_DIR + sep))) {
    return Object.keys(BUNDLED)
      .map((rel) => join(OPERATIONS_DIR, rel))
      .filter((file) => file.startsWith(dir + sep));
  }
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...opFiles(path));
    else if (OP_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Finds every `*.op.ts` (`.op.js` once built) below the operations folder and returns the classes they
 * export that carry @Operation, in tool order. This is why adding an operation is one new file: there is no
 * list to edit. Fails loudly at start-up on two operations with one name or one REST route.
 */
export function loadOperationClasses(...dirs: string[]): OperationClass[] {
  const found = new Map<OperationClass, OperationDefinition>();
  for (const file of (dirs.length ? dirs : [OPERATIONS_DIR]).flatMap((d) => opFiles(d).sort())) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = (BUNDLED?.[relative(OPERATIONS_DIR, file)]?.() ?? require(file)) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      const def = typeof value === 'function' ? definitionOf(value) : undefined;
      if (def) found.set(value as OperationClass, def);
    }
  }
  const classes = [...found.keys()].sort((a, b) => found.get(a)!.order - found.get(b)!.order || found.get(a)!.name.localeCompare(found.get(b)!.name));
  assertUnique(classes.map((c) => found.get(c)!.name), 'operation name');
  assertUnique(classes.map((c) => `${found.get(c)!.rest.method} ${found.get(c)!.rest.path}`), 'REST route');
  return classes;
}

function assertUnique(values: string[], what: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new Error(`Two operations declare the same ${what}: ${v}`);
    seen.add(v);
  }
}
