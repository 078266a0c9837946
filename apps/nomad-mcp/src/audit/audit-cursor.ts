import { BadRequestException } from '@nestjs/common';

/** Where a page ended: the (time, id) of its last record; the next page starts strictly after it. */
export interface CursorPosition {
  time: string;
  id: string;
}

/** Opaque to callers: base64url of the position, so its shape can change without breaking anyone. */
export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(JSON.stringify([p.time, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((v) => typeof v === 'string' && v.length <= 64)) {
      return { time: parsed[0] as string, id: parsed[1] as string };
    }
  } catch {
    /* fall through to the one clear error */
  }
  throw new BadRequestException('"cursor" is not one this service gave out: pass the next_cursor of the previous page unchanged, or leave it out to start from the newest record.');
}
