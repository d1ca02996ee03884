import { type logoTypes, MAX_LOGO_BYTES } from '@lifeline/contracts';
import { AppError } from '../../lib/errors.js';

type LogoType = (typeof logoTypes)[number];

const startsWith = (bytes: Buffer, signature: number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

/**
 * What the bytes are, whatever the upload claimed: a logo is served back to
 * customers from our origin, so only raster formats browsers render inertly
 * are accepted. SVG can carry scripts and is refused rather than sanitised.
 */
export function sniffImage(bytes: Buffer): LogoType | 'svg' | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39))
    return 'image/gif';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp';
  const head = bytes.subarray(0, 1024).toString('utf8').trimStart().toLowerCase();
  if (head.startsWith('<') && head.includes('<svg')) return 'svg';
  return undefined;
}

export function checkLogo(bytes: Buffer): { contentType: LogoType; bytes: Buffer } {
  if (bytes.length === 0) {
    throw new AppError(400, 'logo_empty', 'Bad request', 'The logo file is empty.');
  }
  if (bytes.length > MAX_LOGO_BYTES) {
    throw new AppError(
      413,
      'logo_too_large',
      'Payload too large',
      `The logo may be at most ${MAX_LOGO_BYTES / 1024} KB; this one is ${Math.ceil(bytes.length / 1024)} KB.`,
    );
  }
  const type = sniffImage(bytes);
  if (type === 'svg') {
    throw new AppError(
      415,
      'unsupported_logo',
      'Unsupported logo',
      'SVG logos are not accepted, because they can carry scripts. Upload a PNG, JPEG, GIF or WebP image.',
    );
  }
  if (!type) {
    throw new AppError(
      415,
      'unsupported_logo',
      'Unsupported logo',
      'The file is not a PNG, JPEG, GIF or WebP image.',
    );
  }
  return { contentType: type, bytes };
}
