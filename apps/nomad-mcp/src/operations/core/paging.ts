/**
 * Paging of answers that could outgrow a model's context: a page of `limit` items and the token of the next
 * one. Tokens are positions, not offsets, so a page is still right when items came or went in between —
 * the same rule as Nomad's own paginator (the token names the first item of the next page).
 */

export interface Page<T> {
  items: T[];
  /** Pass as `next_token` to get the next page; null on the last. */
  next_token: string | null;
}

/** Where an item stands in a list ordered for paging. */
export interface Cursor<T> {
  token(item: T): string;
  /** Whether the item comes at or after the position the token names (in answer order). */
  atOrAfter(item: T, token: string): boolean;
}

/** How many bytes an item takes in the answer, and how many a page may take (see fitsAnswer). */
export interface PageFit<T> {
  size(item: T): number;
  bytes: number;
}

export function page<T>(ordered: T[], limit: number, cursor: Cursor<NoInfer<T>>, nextToken?: string, fit?: PageFit<NoInfer<T>>): Page<T> {
  const from = nextToken ? ordered.filter((i) => cursor.atOrAfter(i, nextToken)) : ordered;
  let n = Math.min(limit, from.length);
  if (fit) n = itemsWithin(from.slice(0, n), fit);
  return { items: from.slice(0, n), next_token: from.length > n ? cursor.token(from[n]) : null };
}

/**
 * The data a default answer holds, in bytes as answered (JSON): a page's items, a log's lines. With the sentence,
 * the IDs and the rest, the answer stays under 4 KB.
 */
export const ANSWER_DATA_BYTES = 2_800;
/** The list operations' default page size: pages up to it are kept within ANSWER_DATA_BYTES too. */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * The byte bound (ANSWER_DATA_BYTES) of a page of at most DEFAULT_PAGE_SIZE items, each measured as `view`
 * answers it; undefined (no bound) for a caller who asked for a bigger page. A short page still ends with
 * next_token, so nothing is lost.
 */
export function fitsAnswer<T>(limit: number, view: (item: T) => unknown): PageFit<T> | undefined {
  return limit <= DEFAULT_PAGE_SIZE ? { bytes: ANSWER_DATA_BYTES, size: (item) => Buffer.byteLength(JSON.stringify(view(item))) + 1 } : undefined;
}

/** How many of the first items fit in `fit.bytes` (always at least one). */
export function itemsWithin<T>(items: T[], fit: PageFit<T>): number {
  let used = 0;
  for (let i = 0; i < items.length; i++) {
    used += fit.size(items[i]);
    if (used > fit.bytes && i > 0) return i;
  }
  return items.length;
}

type Indexed = { ID: string; CreateIndex: number };

/** Newest first: by CreateIndex, then ID, both descending; tokens `<CreateIndex>.<ID>` as Nomad writes them. */
export const NEWEST_FIRST: Cursor<Indexed> & { sort<T extends Indexed>(items: T[]): T[] } = {
  sort: (items) => [...items].sort((a, b) => b.CreateIndex - a.CreateIndex || (a.ID < b.ID ? 1 : a.ID > b.ID ? -1 : 0)),
  token: (i) => `${i.CreateIndex}.${i.ID}`,
  atOrAfter: (i, token) => {
    const dot = token.indexOf('.');
    const index = Number(token.slice(0, dot));
    return i.CreateIndex < index || (i.CreateIndex === index && i.ID <= token.slice(dot + 1));
  },
};

/** The sentence that says how to get the rest. */
export function moreHint(p: Page<unknown>, what: string): string {
  return p.next_token ? ` More ${what}: call again with next_token="${p.next_token}".` : '';
}
