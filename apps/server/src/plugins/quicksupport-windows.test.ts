import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { decodeQuicksupportTrailer } from '@lifeline/contracts';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowsHelperDownload } from './quicksupport-windows.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-exe-'));
const exe = path.join(dir, 'LifelineQuickSupport.exe');
// A stand-in program large enough to span many deflate blocks, made the way the build makes the real one.
const program = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300_000, 'QuickSupport ')]);
const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWx';
const app = Fastify();

beforeAll(async () => {
  fs.writeFileSync(exe, program);
  const deflated = zlib.deflateRawSync(program, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  fs.writeFileSync(`${exe}.deflate`, deflated);
  fs.writeFileSync(
    `${exe}.json`,
    JSON.stringify({ size: program.length, crc32: zlib.crc32(program), deflateSize: deflated.length }),
  );
  await windowsHelperDownload(app, 'https://help.example.com', exe);
});
afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /downloads/LifelineQuickSupport.exe', () => {
  it('carries the session after the program, gzip-compressed for a browser that takes gzip', async () => {
    const res = await app.inject({
      url: `/downloads/LifelineQuickSupport.exe?session=${TOKEN}`,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="LifelineQuickSupport.exe"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.rawPayload.length).toBeLessThan(program.length / 10);
    // gunzip checks the CRC-32 and length of the whole member: the trailer was joined in correctly.
    const body = zlib.gunzipSync(res.rawPayload);
    expect(body.subarray(0, program.length).equals(program)).toBe(true);
    expect(decodeQuicksupportTrailer(body)).toEqual({
      server: 'https://help.example.com/',
      link: `https://help.example.com/j/${TOKEN}`,
    });
  });

  it('is the same bytes uncompressed, and without a session carries only the server', async () => {
    const res = await app.inject({ url: '/downloads/LifelineQuickSupport.exe' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    expect(res.rawPayload.subarray(0, program.length).equals(program)).toBe(true);
    expect(decodeQuicksupportTrailer(res.rawPayload)).toEqual({ server: 'https://help.example.com/' });
  });

  it('refuses a damaged session token instead of handing out a program that cannot join', async () => {
    for (const session of ['short', `${TOKEN}/../x`, `${TOKEN}&x=1"`]) {
      const res = await app.inject({
        url: `/downloads/LifelineQuickSupport.exe?session=${encodeURIComponent(session)}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This download link is damaged');
    }
  });

  it('says when the Windows program is not built', async () => {
    const bare = Fastify();
    await windowsHelperDownload(bare, 'https://help.example.com', path.join(dir, 'missing.exe'));
    const res = await bare.inject({ url: '/downloads/LifelineQuickSupport.exe' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('npm run build');
    await bare.close();
  });
});
