/** A time back from now, as the audit filters take it besides ISO 8601: `90s`, `30m`, `2h`, `7d`, `2w`. */
const RELATIVE = /^(\d{1,6})(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `2h` → the ISO time two hours before `now`; anything else as it is (ISO 8601 is checked by the query's DTO). */
export function auditTime<T extends string | undefined>(value: T, now = Date.now()): T | string {
  const m = typeof value === 'string' ? RELATIVE.exec(value) : null;
  return m ? new Date(now - Number(m[1]) * UNIT_MS[m[2]]).toISOString() : value;
}

/** What since/until take, for their messages. */
export const AUDIT_TIME_FORMS = 'an ISO 8601 time such as 2026-11-29T00:00:00Z, or a duration back from now such as 30m, 2h or 7d';
