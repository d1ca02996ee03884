export const BAD_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** A NUL character, or a UTF-16 surrogate that is not half of a pair. */
export function isBadText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return true;
    i++;
  }
  return false;
}

/**
 * The path (`customer.name`, `codes.3`) of the first string in `value` — keys
 * included — that PostgreSQL cannot store (NUL) or that is not text at all (a
 * lone surrogate, which UTF-8 cannot encode), or undefined when all is well.
 * Checked once for every request and realtime message, so both databases
 * refuse the same input the same way instead of one storing it and the other failing.
 */
export function badTextPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return isBadText(value) ? path.join('.') : undefined;
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = [...path, key];
    if (isBadText(key)) return at.join('.');
    const found = badTextPath(inner, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
