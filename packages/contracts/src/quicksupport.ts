import { z } from 'zod';

/**
 * What a downloaded Windows QuickSupport carries: the server hands out one
 * program for everybody and appends this trailer to it per download, after
 * the end of the PE image where Windows' loader never looks. The program
 * reads the end of its own file at start, so the customer types nothing.
 *
 * Layout: JSON (UTF-8) · its length (uint32, little-endian) · the magic.
 */
export const QUICKSUPPORT_TRAILER_MAGIC = 'LifelineSession1';
const MAGIC = new TextEncoder().encode(QUICKSUPPORT_TRAILER_MAGIC);
/** Enough for any server address and link; a larger trailer is refused both ways. */
export const QUICKSUPPORT_TRAILER_MAX = 4096;

export const quicksupportTrailer = z.strictObject({
  /** The server the program was downloaded from (its base address, ending in `/`). */
  server: z.url({ protocol: /^https?$/ }),
  /** The customer link of the session it was downloaded for, if any. */
  link: z.url({ protocol: /^https?$/ }).optional(),
});
export type QuicksupportTrailer = z.infer<typeof quicksupportTrailer>;

export function encodeQuicksupportTrailer(trailer: QuicksupportTrailer): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(quicksupportTrailer.parse(trailer)));
  const out = new Uint8Array(json.length + 4 + MAGIC.length);
  out.set(json, 0);
  new DataView(out.buffer).setUint32(json.length, json.length, true);
  out.set(MAGIC, json.length + 4);
  if (out.length > QUICKSUPPORT_TRAILER_MAX) throw new Error('The QuickSupport trailer is too long.');
  return out;
}

/** Reads the trailer from the last bytes of the program file; undefined when there is none or it is damaged. */
export function decodeQuicksupportTrailer(tail: Uint8Array): QuicksupportTrailer | undefined {
  if (tail.length < MAGIC.length + 4) return undefined;
  const magicAt = tail.length - MAGIC.length;
  for (let i = 0; i < MAGIC.length; i++) if (tail[magicAt + i] !== MAGIC[i]) return undefined;
  const length = new DataView(tail.buffer, tail.byteOffset, tail.length).getUint32(magicAt - 4, true);
  const start = magicAt - 4 - length;
  if (start < 0) return undefined;
  try {
    const parsed = quicksupportTrailer.safeParse(
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(tail.subarray(start, magicAt - 4))),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
