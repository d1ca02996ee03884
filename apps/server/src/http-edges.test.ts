import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import type { JoinInfo } from '@lifeline/contracts';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { apiError, createTestDatabase, describeEachDatabase, testConfig } from '../test/harness.js';
import { TestSocket, wsUrl } from '../test/sockets.js';
import { buildApp } from './app.js';
import { PAGE_CSP, type WebPagesOptions, webPages } from './plugins/web.js';

const json = { 'content-type': 'application/json' };

describeEachDatabase('the edges every route shares', (t) => {
  describe('empty bodies', () => {
    it('treats an empty body declared as JSON as no body on close and delete', async () => {
      const org = await t.newOrg();
      const { token } = await org.admin.tokens.create({ name: 'curl', scopes: ['cases:write'] });
      const headers = { ...json, authorization: `Bearer ${token}` };
      const closing = await org.admin.cases.create({ name: 'Printer' });
      const closed = await t.fetch(`/api/v1/cases/${closing.code}/close`, { method: 'POST', headers });
      expect(closed.status).toBe(200);
      expect(await closed.json()).toMatchObject({ code: closing.code, status: 'closed' });

      const deleting = await org.admin.cases.create({ name: 'Mistake' });
      const deleted = await t.fetch(`/api/v1/cases/${deleting.code}`, { method: 'DELETE', headers });
      expect(deleted.status).toBe(204);
      expect((await apiError(org.admin.cases.get(deleting.code))).status).toBe(404);
    });

    it('still refuses an empty body where one is required, as a validation problem', async () => {
      const org = await t.newOrg();
      const { token } = await org.admin.tokens.create({ name: 'curl', scopes: ['cases:write'] });
      const res = await t.fetch('/api/v1/cases', {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'validation_failed' });
      expect((await org.admin.cases.list()).items).toEqual([]);
    });
  });

  describe('text no database can store the same way (NUL, lone surrogates)', () => {
    it('refuses them in a body with 400 naming the field, and stores nothing', async () => {
      const org = await t.newOrg();
      const { token } = await org.admin.tokens.create({ name: 'raw', scopes: ['cases:write'] });
      const headers = { ...json, authorization: `Bearer ${token}` };
      for (const [body, path] of [
        ['{"name":"Printer\\u0000offline"}', 'name'],
        ['{"name":"Printer \\ud800"}', 'name'],
        ['{"name":"x","customer":{"name":"\\udc00 Cleo"}}', 'customer.name'],
        ['{"name":"x","external":{"system":"crm","type":"case","id":"1","\\u0000":"y"}}', 'external.\u0000'],
      ] as const) {
        const res = await t.fetch('/api/v1/cases', { method: 'POST', headers, body });
        expect(res.status, body).toBe(400);
        expect(await res.json()).toMatchObject({
          code: 'validation_failed',
          errors: [{ path, message: 'must not contain NUL characters or unpaired surrogates' }],
        });
      }
      // A pair is text: an emoji is stored as it is.
      const ok = await t.fetch('/api/v1/cases', {
        method: 'POST',
        headers,
        body: '{"name":"\\ud83d\\udda8 Printer"}',
      });
      expect(ok.status).toBe(201);
      expect((await org.admin.cases.list()).items.map((c) => c.name)).toEqual(['🖨 Printer']);
    });

    it('refuses them in the path and query of public and signed-in routes with 400', async () => {
      const org = await t.newOrg();
      const { token } = await org.admin.tokens.create({ name: 'raw', scopes: ['cases:read'] });
      for (const [path, init] of [
        ['/api/v1/join/abc%00def', {}],
        ['/api/v1/public/modules/acme%00', {}],
        ['/api/v1/public/modules/acme%00/logo', {}],
        ['/api/v1/public/modules/acme%00/sos/linux', {}],
        ['/api/v1/public/modules/acme%00/requests', { method: 'POST', headers: json, body: '{}' }],
        ['/api/v1/cases?q=%00', { headers: { authorization: `Bearer ${token}` } }],
        ['/api/v1/cases/s12-345-67%00', { headers: { authorization: `Bearer ${token}` } }],
      ] as const) {
        const res = await t.fetch(path, init);
        expect(res.status, path).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(await res.json()).toMatchObject({ code: 'validation_failed' });
      }
    });

    it('closes a session socket asked for with such a link as unknown, and refuses such a message', async () => {
      const refused = TestSocket.open(wsUrl(t.baseUrl, '/ws/session?token=abc%00def'));
      expect((await refused.closed).code).toBe(4004);

      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer' });
      const customerToken = c.links.customer.split('/j/')[1] ?? '';
      const customer = TestSocket.open(wsUrl(t.baseUrl, `/ws/session?token=${customerToken}`));
      await customer.next('welcome');
      customer.send('{"type":"chat","text":"hello\\u0000"}');
      expect(await customer.next('error')).toMatchObject({
        code: 'invalid_message',
        message: expect.stringContaining('text: must not contain NUL'),
      });
      await customer.close();
    });
  });

  describe('response headers', () => {
    it('sends a strict CSP with frame-ancestors none on every page that is not framed by a CRM', async () => {
      for (const path of ['/', '/login', '/j/abc', '/support', '/qs/acme', '/cases/s12-345-678']) {
        const res = await t.fetch(path);
        expect(res.headers.get('content-security-policy'), path).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
        expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      }
    });

    it('names the Bearer scheme on every 401', async () => {
      const anonymous = await t.fetch('/api/v1/cases');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="Lifeline"');
      const badToken = await t.fetch('/api/v1/cases', { headers: { authorization: 'Bearer llt_nope' } });
      expect(badToken.status).toBe(401);
      expect(badToken.headers.get('www-authenticate')).toBe('Bearer realm="Lifeline", error="invalid_token"');
    });
  });
});

/** `webPages` over a dist folder holding `files` (path → content), removed again after `run`. */
async function withBuiltPages(
  files: Record<string, string | Buffer>,
  options: WebPagesOptions,
  run: (app: FastifyInstance) => Promise<void>,
) {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-dist-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dist, name)), { recursive: true });
    fs.writeFileSync(path.join(dist, name), content);
  }
  const app = Fastify();
  await webPages(app, options, dist);
  try {
    await run(app);
  } finally {
    await app.close();
    fs.rmSync(dist, { recursive: true, force: true });
  }
}

describe('pages of the built web app', () => {
  it('carry the same policy when index.html is asked for by name, and connector pages keep their own', async () => {
    await withBuiltPages(
      {
        'index.html': '<!doctype html><title>Lifeline</title>',
      },
      { frameAncestors: async () => ['https://crm.example.com'] },
      async (app) => {
        for (const url of ['/', '/index.html', '/login']) {
          const res = await app.inject({ url });
          expect(res.statusCode, url).toBe(200);
          expect(res.headers['content-security-policy'], url).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
        }
        const framed = await app.inject({ url: '/connector/case?client_id=llc_1' });
        expect(framed.headers['content-security-policy']).toBe(
          `${PAGE_CSP}; frame-ancestors https://crm.example.com`,
        );
      },
    );
  });
});

describe('pages of the built web app, customer build', () => {
  it("answer the customer's paths with customer.html and every other page with index.html, under one policy", async () => {
    await withBuiltPages(
      {
        'index.html': '<!doctype html><title>staff</title>',
        'customer.html': '<!doctype html><title>customer</title>',
      },
      {},
      async (app) => {
        const pages = {
          '/j/Zz9Zz9': 'customer',
          '/support': 'customer',
          '/qs/acme': 'customer',
          '/': 'staff',
          '/login': 'staff',
          '/session/s12-345-678': 'staff',
          '/customer.html': 'customer',
        };
        for (const [url, title] of Object.entries(pages)) {
          const res = await app.inject({ url });
          expect(res.statusCode, url).toBe(200);
          expect(res.body, url).toContain(`<title>${title}</title>`);
          expect(res.headers['content-security-policy'], url).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
          expect(res.headers['referrer-policy'], url).toBe('no-referrer');
          expect(res.headers['x-content-type-options'], url).toBe('nosniff');
          expect(res.headers['cache-control'], url).toBe('no-cache');
        }
      },
    );
  });
});

describe('pages of the built web app, on the wire', () => {
  it('sends an asset as the precompressed copy the browser accepts, and as it is to one that accepts none', async () => {
    const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
    await withBuiltPages(
      {
        'index.html': '<!doctype html><title>staff</title>',
        'assets/app-abc.js': script,
        'assets/app-abc.js.br': zlib.brotliCompressSync(script),
        'assets/app-abc.js.gz': zlib.gzipSync(script),
      },
      {},
      async (app) => {
        const br = await app.inject({
          url: '/assets/app-abc.js',
          headers: { 'accept-encoding': 'gzip, br' },
        });
        expect(br.headers['content-encoding']).toBe('br');
        expect(br.headers['content-type']).toMatch(/^application\/javascript/);
        expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(script);
        const gz = await app.inject({ url: '/assets/app-abc.js', headers: { 'accept-encoding': 'gzip' } });
        expect(gz.headers['content-encoding']).toBe('gzip');
        expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(script);
        const plain = await app.inject({
          url: '/assets/app-abc.js',
          headers: { 'accept-encoding': 'identity' },
        });
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(plain.body).toBe(script);
      },
    );
  });

  it("sends the invitation's page with its join answer in it, which no text of the case can break out of", async () => {
    const answer = {
      token: 'Zz9-Zz_9',
      name: '</script><script>alert(1)</script>',
    } as unknown as JoinInfo;
    const asked: string[] = [];
    await withBuiltPages(
      {
        'index.html': '<!doctype html><head><title>staff</title></head>',
        'customer.html': '<!doctype html><head><title>customer</title></head><body></body>',
      },
      {
        joinAnswer: async (token) => {
          asked.push(token);
          return token === answer.token ? answer : undefined;
        },
      },
      async (app) => {
        const res = await app.inject({ url: '/j/Zz9-Zz_9' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['content-security-policy']).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
        expect(res.headers.link).toBeUndefined();
        const carried = /<script type="application\/json" id="join-answer">(.*?)<\/script><\/head>/.exec(
          res.body,
        );
        expect(JSON.parse(carried?.[1] ?? 'null')).toEqual(answer);
        expect(res.body.match(/<script/g)).toHaveLength(1);
        expect(res.body).toContain('<title>customer</title>');

        // A link that answers an error: the page as it is, and it asks (the call preloaded).
        const unknown = await app.inject({ url: '/j/nope' });
        expect(unknown.body).not.toContain('join-answer');
        expect(unknown.headers.link).toBe('</api/v1/join/nope>; rel=preload; as=fetch; crossorigin');
        expect(unknown.headers['cache-control']).toBe('no-cache');
        expect(asked).toEqual(['Zz9-Zz_9', 'nope']);
      },
    );
  });

  it("tells the browser to fetch the invitation's case while it loads the page's script", async () => {
    await withBuiltPages(
      {
        'index.html': '<!doctype html><title>staff</title>',
        'customer.html': '<!doctype html><title>customer</title>',
      },
      {},
      async (app) => {
        const res = await app.inject({ url: '/j/Zz9-Zz_9' });
        expect(res.headers.link).toBe('</api/v1/join/Zz9-Zz_9>; rel=preload; as=fetch; crossorigin');
        expect((await app.inject({ url: '/support' })).headers.link).toBeUndefined();
      },
    );
  });
});

describe('request logs', () => {
  it('write one line per request, without link tokens or secret query parameters', async () => {
    const lines: Record<string, unknown>[] = [];
    const logStream = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const database = await createTestDatabase('sqlite');
    const { server } = await buildApp({
      config: testConfig(database.config, { logLevel: 'info' }),
      database: database.handle,
      logStream,
    });
    const secret = 'Zx9SecretLinkToken0123456789abcdef';
    try {
      for (const url of [
        `/j/${secret}`,
        `/api/v1/join/${secret}`,
        `/ws/session?token=${secret}`,
        `/connector/callback?code=${secret}&state=s1`,
        `/api/v1/cases?access_token=${secret}`,
      ]) {
        await server.inject({ url, headers: { 'x-request-id': 'req-1' } });
        const mine = lines.splice(0).filter((l) => l.reqId === 'req-1');
        expect(
          mine.map((l) => l.msg),
          url,
        ).toEqual(['request completed']);
        expect(JSON.stringify(mine), url).not.toContain(secret);
        expect(mine[0]?.url, url).toContain('[redacted]');
      }
      await server.inject({
        url: '/api/v1/join/by-code',
        method: 'POST',
        headers: { 'x-request-id': 'req-2' },
      });
      expect(lines.find((l) => l.reqId === 'req-2')).toMatchObject({
        method: 'POST',
        url: '/api/v1/join/by-code',
        statusCode: 400,
      });
    } finally {
      await server.close();
      await database.handle.destroy();
      await database.drop();
    }
  });
});
