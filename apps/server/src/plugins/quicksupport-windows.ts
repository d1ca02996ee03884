import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { encodeQuicksupportTrailer } from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';

/** LifelineQuickSupport.exe and its deflate stream (apps/helper/scripts/build-windows.ts, `npm run build`). */
export const WINDOWS_HELPER = fileURLToPath(
  new URL('../../../helper/dist/LifelineQuickSupport.exe', import.meta.url),
);

interface Meta {
  size: number;
  crc32: number;
  deflateSize: number;
}

const TOKEN = /^[A-Za-z0-9_-]{16,100}$/;
/** gzip member header: magic, deflate, no flags, no time, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

function concat(parts: (Buffer | (() => Readable))[]): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      for (const part of parts) {
        if (Buffer.isBuffer(part)) {
          if (!out.write(part)) await new Promise((r) => out.once('drain', r));
          continue;
        }
        for await (const chunk of part()) {
          if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
        }
      }
      out.end();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return out;
}

/**
 * `GET /downloads/LifelineQuickSupport.exe[?session={customer link token}]`:
 * one program for every download, with this server's address and the
 * session appended (see @lifeline/contracts' quicksupport.ts), so the
 * customer double-clicks it and types nothing. Browsers that take gzip get
 * the build's precompressed stream, the trailer compressed on its own behind
 * it: about 60 MB instead of 160.
 */
export async function windowsHelperDownload(app: FastifyInstance, publicUrl: string, exe = WINDOWS_HELPER) {
  app.get('/downloads/LifelineQuickSupport.exe', { schema: { hide: true } }, async (req, reply) => {
    const session = (req.query as { session?: unknown }).session;
    if (session !== undefined && (typeof session !== 'string' || !TOKEN.test(session))) {
      return reply
        .status(400)
        .type('text/plain')
        .send('This download link is damaged: open your invitation link again and download from there.');
    }
    const meta = await fs.promises
      .readFile(`${exe}.json`, 'utf8')
      .then((s) => JSON.parse(s) as Meta)
      .catch(() => null);
    if (!meta || !fs.existsSync(exe)) {
      return reply
        .status(404)
        .type('text/plain')
        .send('QuickSupport for Windows is not built on this server: run `npm run build`.');
    }
    const trailer = Buffer.from(
      encodeQuicksupportTrailer({
        server: `${publicUrl}/`,
        ...(session ? { link: `${publicUrl}/j/${session}` } : {}),
      }),
    );
    reply
      // Personal to one session: never kept by a cache shared between customers.
      .header('cache-control', 'private, no-store')
      .header('vary', 'accept-encoding')
      .header('content-disposition', 'attachment; filename="LifelineQuickSupport.exe"')
      .type('application/vnd.microsoft.portable-executable');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip && fs.existsSync(`${exe}.deflate`)) {
      const tail = zlib.deflateRawSync(trailer);
      const footer = Buffer.alloc(8);
      footer.writeUInt32LE(zlib.crc32(trailer, meta.crc32), 0);
      footer.writeUInt32LE((meta.size + trailer.length) % 2 ** 32, 4);
      return reply
        .header('content-encoding', 'gzip')
        .header('content-length', GZIP_HEADER.length + meta.deflateSize + tail.length + footer.length)
        .send(concat([GZIP_HEADER, () => fs.createReadStream(`${exe}.deflate`), tail, footer]));
    }
    return reply
      .header('content-length', meta.size + trailer.length)
      .send(concat([() => fs.createReadStream(exe), trailer]));
  });
}
