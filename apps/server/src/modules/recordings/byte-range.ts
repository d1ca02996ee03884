import { AppError } from '../../lib/errors.js';

/**
 * The one byte range a `Range` header asks of `size` bytes (RFC 9110 §14), or
 * undefined for the whole: players ask one range at a time. A header we do not
 * understand (several ranges, another unit) is ignored, as the RFC allows;
 * a range past the end is 416.
 */
export function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  const m = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [, from = '', to = ''] = m;
  let start: number;
  let end: number;
  if (from === '') {
    // `bytes=-500`: the last 500 bytes.
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start >= size || start > end) {
    throw new AppError(
      416,
      'range_not_satisfiable',
      'Range not satisfiable',
      `The recording has ${size} bytes.`,
      {
        headers: { 'content-range': `bytes */${size}` },
      },
    );
  }
  return { start, end };
}
