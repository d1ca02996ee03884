import { allEndpoints } from '@lifeline/contracts';
import committed from '@lifeline/contracts/openapi.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../test/harness.js';

type OpenApiDoc = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  servers?: { url: string }[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDatabase('server basics', (t) => {
  describe('health', () => {
    it('GET /healthz answers 200 ok', async () => {
      const res = await t.fetch('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('GET /readyz answers 200 with the database check ok', async () => {
      const res = await t.fetch('/readyz');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
    });
  });

  describe('API documentation', () => {
    it('serves an OpenAPI 3.1 document describing the public API', async () => {
      const res = await t.fetch('/api/v1/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      const doc = (await res.json()) as OpenApiDoc;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info.title).toBe('Lifeline API');

      const paths = Object.keys(doc.paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/api/v1/cases',
          '/api/v1/cases/{code}',
          '/api/v1/cases/bulk-delete',
          '/api/v1/cases/{code}/events',
          '/api/v1/auth/login',
          '/api/v1/me',
          '/api/v1/tokens',
          '/api/v1/cases/{code}/invitations',
          '/api/v1/outbox',
          '/api/v1/webhooks',
          '/api/v1/webhooks/{id}',
          '/api/v1/webhooks/{id}/deliveries',
        ]),
      );
      // Fastify's `:param` syntax must not leak into the document, nor the docs' own routes.
      expect(paths.filter((p) => p.includes(':'))).toEqual([]);
      expect(paths).not.toContain('/api/v1/openapi.json');
      expect(Object.keys(doc.paths['/api/v1/cases'] ?? {}).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths['/api/v1/cases/{code}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
      // Every endpoint declared in the contracts is served, at the path the document gives.
      for (const e of allEndpoints)
        expect(
          t.app.server.hasRoute({ method: e.method, url: e.path.replace(/\{(\w+)\}/g, ':$1') }),
          `${e.method} ${e.path}`,
        ).toBe(true);
      // The generated document, as committed, with this server's address.
      expect({ ...doc, servers: undefined }).toEqual({ ...committed, servers: undefined });
      expect(doc.servers).toEqual([{ url: 'http://lifeline.test' }]);
    });

    it('serves the interactive docs as HTML at /api/docs', async () => {
      const res = await t.fetch('/api/docs');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('Swagger UI');
    });
  });

  describe('unknown routes', () => {
    it('answers 404 with a problem+json body', async () => {
      const res = await t.fetch('/api/v1/nothing-here?x=1');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toEqual({
        type: 'https://lifeline.dev/problems/not_found',
        title: 'Not found',
        status: 404,
        code: 'not_found',
        detail: 'No route for GET /api/v1/nothing-here.',
        instance: '/api/v1/nothing-here?x=1',
      });
    });

    const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

    it('answers a browser opening an unknown address with a friendly HTML page that cannot be framed', async () => {
      const res = await t.fetch('/supprt/<b>x</b>', { headers: browser });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      const html = await res.text();
      expect(html).toContain('This page does not exist');
      expect(html).toContain('href="/support"');
      expect(html).toContain('/supprt/&lt;b&gt;x&lt;/b&gt;');
      expect(html).not.toContain('<b>x</b>');
    });

    it('sends mistyped addresses of real pages to the page meant, keeping the query', async () => {
      for (const [typed, meant] of [
        ['/support/', '/support'],
        ['/Support', '/support'],
        ['/SUPPORT/?code=s12', '/support?code=s12'],
        ['/cases', '/'],
        ['/admin', '/admin/users'],
      ]) {
        const res = await t.fetch(typed ?? '', { headers: browser, redirect: 'manual' });
        expect([typed, res.status, res.headers.get('location')]).toEqual([typed, 308, meant]);
      }
    });

    it('keeps problem+json for the API and for clients that do not ask for HTML', async () => {
      const api = await t.fetch('/api/v1/nothing', { headers: browser });
      expect([api.status, api.headers.get('content-type')]).toEqual([
        404,
        'application/problem+json; charset=utf-8',
      ]);
      const script = await t.fetch('/support/', { headers: { accept: 'application/json' } });
      expect([script.status, script.headers.get('content-type')]).toEqual([
        404,
        'application/problem+json; charset=utf-8',
      ]);
      const post = await t.fetch('/cases', { method: 'POST', headers: browser });
      expect(post.status).toBe(404);
      expect(post.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('request ids', () => {
    it('puts an x-request-id on every response, successful or not', async () => {
      const responses = await Promise.all([
        t.fetch('/healthz'),
        t.fetch('/api/v1/openapi.json'),
        t.fetch('/api/v1/me'),
        t.fetch('/api/v1/unknown'),
        t.fetch('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"email":',
        }),
      ]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 401, 404, 400]);
      const ids = responses.map((r) => r.headers.get('x-request-id'));
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('echoes an incoming x-request-id', async () => {
      const ok = await t.fetch('/healthz', { headers: { 'x-request-id': 'lb-trace-4711' } });
      expect(ok.headers.get('x-request-id')).toBe('lb-trace-4711');
      const failed = await t.fetch('/api/v1/me', { headers: { 'x-request-id': 'lb-trace-4712' } });
      expect(failed.status).toBe(401);
      expect(failed.headers.get('x-request-id')).toBe('lb-trace-4712');
    });
  });
});

describeEachDatabase(
  'responses serialised without contract checks, as in production',
  (t) => {
    it('answers a cached queue page with the same JSON, type and length as the first time', async () => {
      const org = await t.newOrg();
      await org.admin.cases.create({ name: 'Printer offline — ünïcode' });
      const { token } = await org.admin.tokens.create({ name: 'raw', scopes: ['cases:read'] });
      const answers: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await t.fetch('/api/v1/cases?status=new', {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        const body = await res.text();
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
        answers.push(body);
      }
      expect(answers[1]).toBe(answers[0]);
      expect(JSON.parse(answers[0] ?? '').items[0].name).toBe('Printer offline — ünïcode');
    });
  },
  { validateResponses: false },
);
