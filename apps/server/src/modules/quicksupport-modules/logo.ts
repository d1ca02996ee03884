import { type LogoType, logoProblems, MAX_LOGO_BYTES, sniffImage } from '@lifeline/contracts';
import { AppError } from '../../lib/errors.js';

/**
 * A logo is served back to customers from our origin, so only raster formats
 * browsers render inertly are accepted, told apart by their content. SVG can
 * carry scripts and is refused rather than sanitised.
 */
export function checkLogo(bytes: Buffer): { contentType: LogoType; bytes: Buffer } {
  if (bytes.length === 0) {
    throw new AppError(400, 'logo_empty', 'Bad request', 'The logo file is empty.');
  }
  if (bytes.length > MAX_LOGO_BYTES) {
    throw new AppError(413, 'logo_too_large', 'Payload too large', logoProblems.tooLarge(bytes.length));
  }
  const type = sniffImage(bytes);
  if (type === undefined || type === 'svg') {
    throw new AppError(
      415,
      'unsupported_logo',
      'Unsupported logo',
      type === 'svg' ? logoProblems.svg : logoProblems.unknown,
    );
  }
  return { contentType: type, bytes };
}
