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

export function page<T>(ordered: T[], limit: number, cursor: Cursor<NoInfer<T>>, nextToken?: string): Page<T> {
  const from = nextToken ? ordered.filter((i) => cursor.atOrAfter(i, nextToken)) : ordered;
  return { items: from.slice(0, limit), next_token: from.length > limit ? cursor.token(from[limit]) : null };
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
