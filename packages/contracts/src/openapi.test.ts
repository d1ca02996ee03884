import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allEndpoints } from './endpoints/index.js';
import { openApiDocument } from './openapi.js';
import { webhookEventType } from './webhooks.js';

type Operation = {
  operationId?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: Operation }>;
  components: {
    schemas: Record<string, unknown>;
    responses: Record<string, { content: Record<string, { schema: unknown }> }>;
  };
};

const committed = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')) as Doc;
const operations = Object.entries(committed.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
);
const op = (method: string, path: string) => committed.paths[path]?.[method] as Operation;

describe('the OpenAPI document', () => {
  it('is committed exactly as the endpoint declarations generate it (run `npm run openapi` after changing them)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('has every declared endpoint but the sign-in page’s own steps, each once', () => {
    const declared = allEndpoints.filter((e) => !e.internal).map((e) => `${e.method} ${e.path}`);
    expect(operations.map((o) => o.name).sort()).toEqual([...declared].sort());
    expect(new Set(declared).size).toBe(declared.length);
    expect(operations.length).toBeGreaterThan(50);
  });

  it('gives every operation a unique operationId and a description', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const undescribed = operations.filter((o) => !o.op.description?.trim()).map((o) => o.name);
    expect(undescribed).toEqual([]);
  });

  it('names the shared schemas as components and refers to them', () => {
    expect(Object.keys(committed.components.schemas)).toEqual(
      expect.arrayContaining([
        'Case',
        'CaseDetail',
        'CaseOutcome',
        'Problem',
        'User',
        'Group',
        'Invitation',
        'Webhook',
        'QuickSupportModule',
      ]),
    );
    expect(op('get', '/api/v1/cases').responses['200']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/CasePage' } },
    });
    expect(op('get', '/api/v1/cases/{code}').responses['200']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/CaseDetail' } },
    });
  });

  it('describes every error as application/problem+json, and the TeamViewer facade’s in its own body', () => {
    for (const { name, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || name === 'GET /readyz') continue;
        if (name.includes('/api/v1/sessions')) {
          expect(response.content, `${name} ${status}`).toEqual({
            'application/json': { schema: { $ref: '#/components/schemas/TeamViewerError' } },
          });
          continue;
        }
        const ref = response.$ref?.replace('#/components/responses/', '') ?? '';
        expect(committed.components.responses[ref]?.content, `${name} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
    }
  });

  it('documents 413 and 415 for every request body, 429 where attempts are limited, 503 where the database is asked', () => {
    for (const { name, op } of operations) {
      if (op.requestBody)
        expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['413', '415']));
      if (name !== 'GET /healthz') expect(Object.keys(op.responses), name).toContain('503');
    }
    for (const [method, path] of [
      ['post', '/api/v1/auth/login'],
      ['post', '/api/v1/join/by-code'],
      ['post', '/api/v1/public/modules/{slug}/requests'],
    ] as const)
      expect(Object.keys(op(method, path).responses)).toContain('429');
  });

  it('asks no credentials of public endpoints and some of all others', () => {
    const publicOnes = [
      'GET /healthz',
      'POST /api/v1/auth/login',
      'GET /api/v1/join/{token}',
      'POST /api/v1/join/by-code',
      'GET /api/v1/public/modules/{slug}',
      'POST /api/v1/public/modules/{slug}/requests',
    ];
    for (const { name, op } of operations) {
      if (publicOnes.includes(name)) expect(op.security, name).toEqual([]);
      else if (!/^GET \/(readyz|api\/v1\/public\/)/.test(name))
        expect(op.security?.length, name).toBeGreaterThan(0);
    }
    expect(op('post', '/api/v1/cases').security).toContainEqual({ oauth2: ['cases:write'] });
  });

  it('documents the logo upload as a binary body', () => {
    const upload = op('put', '/api/v1/modules/{id}/logo');
    expect(upload.requestBody?.content['image/*']).toEqual({ schema: { type: 'string', format: 'binary' } });
    expect(upload.requestBody?.content['application/json']).toBeUndefined();
  });

  it('lists every webhook event with its payload schema', () => {
    expect(Object.keys(committed.webhooks).sort()).toEqual([...webhookEventType.options].sort());
    expect(committed.webhooks['case.closed']?.post.requestBody?.content['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/WebhookCaseClosed' },
    });
  });
});
