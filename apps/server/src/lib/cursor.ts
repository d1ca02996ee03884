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
