import { badRequest } from './errors.js';

/** Opaque cursors: base64url JSON, validated on the way back in. */
export const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(cursor: string, isValid: (v: unknown) => v is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // falls through to the same answer as a well-formed but foreign cursor
  }
  throw badRequest('invalid_cursor', 'The cursor is not one this API returned.', [
    { path: 'cursor', message: 'is not a valid cursor' },
  ]);
}

/** Where a newest-first list continues: the time and id of the last row shown. */
export type TimeKeyset = { at: number; id: string };
const isTimeKeyset = (v: unknown): v is [number, string] =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';

export function decodeTimeKeyset(cursor: string | undefined): TimeKeyset | undefined {
  if (cursor === undefined) return undefined;
  const [at, id] = decodeCursor(cursor, isTimeKeyset);
  return { at, id };
}

/**
 * One page out of `limit + 1` rows read: the extra row only tells that more
 * follow, and the cursor points after the last row shown.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
  keyOf: (row: R) => TimeKeyset | number,
): { items: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  const key = rows.length > limit && last !== undefined ? keyOf(last) : undefined;
  return {
    items: shown.map(present),
    nextCursor: key === undefined ? null : encodeCursor(typeof key === 'number' ? key : [key.at, key.id]),
  };
}
