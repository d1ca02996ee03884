import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from './http-fetch.js';

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    if (req.url === '/gone') {
      res.writeHead(410, { 'content-type': 'application/problem+json' }).end('{"code":"ended"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen': req.headers['x-test'] ?? '' });
    res.end(JSON.stringify({ method: req.method, body }));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('the fetch of the Windows program', () => {
  it('sends method, headers and body, and answers status, headers and body as fetch does', async () => {
    const res = await httpFetch(`${base}/x`, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'hello' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ method: 'POST', body: 'hello' });
    const gone = await httpFetch(`${base}/gone`);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toEqual({ code: 'ended' });
  });

  it('fails like fetch when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await expect(httpFetch(`http://127.0.0.1:${port}/`)).rejects.toThrow('fetch failed');
  });
});
