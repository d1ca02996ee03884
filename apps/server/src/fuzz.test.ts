import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type TestServer } from '../test/harness.js';

/**
 * Property-based fuzzing of every REST endpoint in the OpenAPI document: path
 * parameters, query strings and bodies drawn from the endpoint's own schema,
 * then bent (wrong types, unknown fields, junk JSON, wrong content types,
 * odd path segments). Whatever arrives, the answer is never a 5xx, a 4xx is a
 * problem+json document, and a refused request leaves every table exactly as
 * it was. Each endpoint gets a bounded number of runs and time, so the whole
 * file stays within seconds per endpoint on both databases.
 */

const RUNS_PER_ENDPOINT = 60;
const MS_PER_ENDPOINT = 1500;
const MIN_RUNS = 3;

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  $ref?: string;
};

interface Operation {
  method: string;
  path: string;
  parameters?: { in: 'path' | 'query' | 'header'; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Values of every JSON type that are wrong for almost any field. */
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom('', ' ', '\u0000', 'null', '-1', '1e400', '💥'.repeat(3), 'a'.repeat(5000)),
  fc.string({ maxLength: 30 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A query-string value: lists as `a,b` (as the API takes them), anything else as text. */
const asText = (v: unknown): string =>
  typeof v === 'string' ? v : Array.isArray(v) ? v.map(asText).join(',') : (JSON.stringify(v) ?? '');

/**
 * Realistic values by field name (ids of this organisation's own users, groups
 * and cases, plain e-mail addresses and phone numbers), so that many generated
 * requests are valid and reach the services and the database, not only the
 * validator. Filled in once the test's data exists.
 */
const hints: Record<string, fc.Arbitrary<unknown>> = {};
const hintFor = (key: string | undefined) =>
  key === undefined ? undefined : (hints[key] ?? (/Id$/.test(key) ? hints.anyId : undefined));

/** The document's named schemas, which others refer to by `$ref`. */
let components: Record<string, JsonSchema> = {};
const resolve = (schema: JsonSchema | undefined) =>
  schema?.$ref ? components[schema.$ref.replace('#/components/schemas/', '')] : schema;

/** Values that fit `schema` (mostly), so requests get past validation into the services. */
function fromSchema(given: JsonSchema | undefined, depth = 0, key?: string): fc.Arbitrary<unknown> {
  const schema = resolve(given);
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return fc.oneof(...union.map((s) => fromSchema(s, depth + 1, key)));
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], depth + 1, key);
  const type = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (type.length > 1)
    return fc.oneof(...type.map((t) => fromSchema({ ...schema, type: t }, depth + 1, key)));
  switch (type[0]) {
    case 'string': {
      const hint = hintFor(key);
      const maxLength = Math.min(schema.maxLength ?? 40, 80);
      const plain = fc.string({ minLength: Math.min(schema.minLength ?? 1, maxLength), maxLength });
      let typed: fc.Arbitrary<unknown> = plain;
      if (schema.format === 'email') typed = fc.oneof(hints.email ?? fc.emailAddress(), fc.emailAddress());
      else if (schema.format === 'uri') typed = fc.webUrl();
      else if (schema.format === 'date-time')
        typed = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      else if (schema.format === 'uuid') typed = fc.uuid();
      else if (schema.pattern) typed = fc.stringMatching(new RegExp(schema.pattern));
      return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: typed }) : typed;
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ noNaN: true, min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1, key), { maxLength: 4 });
    case 'object': {
      const props = schema.properties ?? {};
      const required = (schema.required ?? []).filter((k) => k in props);
      const all = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, depth + 1, k)]));
      const minimal = Object.fromEntries(required.map((k) => [k, all[k] as fc.Arbitrary<unknown>]));
      // Only the required fields, or any mix: each optional field is one more way to be refused.
      return fc.oneof(fc.record(minimal), fc.record(all, { requiredKeys: required }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body for `schema`, often valid and often bent in one way. */
function bodyFor(schema: JsonSchema | undefined): fc.Arbitrary<{ raw: string; type: string | undefined }> {
  const json = (v: unknown) => ({
    raw: JSON.stringify(v) ?? 'null',
    type: 'application/json' as string | undefined,
  });
  const valid = fromSchema(schema);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map(json) },
    // One field's value replaced by junk, or an unknown field added.
    {
      weight: 3,
      arbitrary: fc
        .tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), junk, fc.boolean())
        .map(([v, key, bad, replace]) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v)) return json(bad);
          const keys = Object.keys(v);
          const target = replace && keys.length ? (keys[key.length % keys.length] as string) : key;
          return json({ ...v, [target]: bad });
        }),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    {
      weight: 1,
      arbitrary: fc.record({
        raw: fc.constantFrom('{', '{"a":', 'not json', '', '[1,2', '\u0000', '{"__proto__":{"x":1}}'),
        type: fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          undefined,
        ),
      }),
    },
  );
}

/** Table name → a stable digest of all its rows. */
async function snapshot(t: TestServer): Promise<Record<string, string>> {
  const tables =
    t.kind === 'sqlite'
      ? await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(t.db)
      : await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
          t.db,
        );
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(t.db);
    out[name] = rows.rows
      .map((r) => JSON.stringify(r))
      .sort()
      .join('\n');
  }
  return out;
}

describeEachDatabase('every REST endpoint under fuzzing', (t) => {
  const pools: Record<string, fc.Arbitrary<string>> = {};
  let adminToken = '';
  let agentToken = '';
  let operations: Operation[] = [];

  beforeAll(async () => {
    const org = await t.newOrg('Fuzz Org');
    const agent = await t.newAgent(org, 'Alex Agent');
    const victim = await t.newAgent(org, 'Vic Victim');
    const other = await t.newOrg('Other Org');
    adminToken = (
      await org.admin.tokens.create({
        name: 'fuzz',
        scopes: ['cases:read', 'cases:write', 'reports:read', 'admin'],
      })
    ).token;
    agentToken = (await agent.client.tokens.create({ name: 'fuzz', scopes: ['cases:read', 'cases:write'] }))
      .token;
    const spareToken = await org.admin.tokens.create({ name: 'spare', scopes: ['cases:read'] });
    const kase = await org.admin.cases.create({ name: 'Printer offline', customer: { name: 'Cleo' } });
    const foreign = await other.admin.cases.create({ name: 'Not yours' });
    const group = await org.admin.groups.create('Second line');
    const hook = await org.admin.webhooks.create({
      url: 'https://crm.example.com/hook',
      events: ['case.created'],
    });
    const customerToken = kase.links.customer.split('/j/')[1] ?? '';

    const odd = fc.constantFrom(
      '',
      ' ',
      '..',
      '%00',
      '%2e%2e%2f',
      'null',
      '0',
      '-1',
      '💥',
      'a'.repeat(300),
      "'; drop table cases; --",
    );
    const ids = [victim.id, group.id, hook.id, spareToken.id, org.orgId, other.orgId];
    pools.code = fc.oneof(
      fc.constantFrom(kase.code, foreign.code, 's00000000', 's1234567'),
      fc.string({ maxLength: 20 }),
      odd,
    );
    pools.id = fc.oneof(fc.constantFrom(...ids), fc.uuid(), fc.string({ maxLength: 20 }), odd);
    pools.userId = fc.oneof(fc.constantFrom(victim.id, agent.id), fc.uuid(), odd);
    pools.token = fc.oneof(
      fc.constantFrom(customerToken, `${customerToken}x`),
      fc.string({ maxLength: 40 }),
      odd,
    );

    hints.anyId = fc.constantFrom(...ids, agent.id);
    hints.userId = fc.constantFrom(victim.id, agent.id);
    hints.assigneeId = fc.constantFrom(victim.id, agent.id);
    hints.groupId = fc.constantFrom(group.id, org.groupId);
    hints.email = fc.constantFrom('cleo@example.com', 'new.agent@example.com', `x${Date.now()}@example.org`);
    hints.phone = fc.constantFrom('+4930123456', '+14155550123', '030 1234567');
    hints.url = fc.constantFrom('http://127.0.0.1:9/hook', 'https://crm.example.com/tickets/1');
    hints.code = fc.constantFrom(kase.code, foreign.code);
    hints.codes = hints.code;
    hints.scopes = fc.constantFrom('cases:read', 'cases:write', 'admin');
    hints.to = fc.constantFrom('cleo@example.com', '+4930123456');
    await t.app.server.ready();
    const doc = t.app.server.swagger() as {
      paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
      components: { schemas: Record<string, JsonSchema> };
    };
    components = doc.components.schemas;
    // Destructive endpoints last, so the others find this test's case, webhook and users still there.
    const destructive = (o: Operation) => o.method === 'DELETE' || /bulk-delete|close|logout/.test(o.path);
    operations = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
      )
      .sort((a, b) => Number(destructive(a)) - Number(destructive(b)));
    // The token's last use is recorded once a minute: make that write before the first snapshot.
    await t.fetch('/api/v1/me', { headers: { authorization: `Bearer ${adminToken}` } });
    await t.fetch('/api/v1/me', { headers: { authorization: `Bearer ${agentToken}` } });
  });

  it('covers the whole API', () => {
    expect(operations.length).toBeGreaterThan(30);
  });

  it('answers every request with a non-5xx, a 4xx as problem+json, and writes nothing when it refuses', async () => {
    const refusedPerEndpoint: Record<string, number> = {};
    for (const op of operations) {
      const name = `${op.method} ${op.path}`;
      refusedPerEndpoint[name] = 0;
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;

      const request = fc.record({
        path: fc.record(
          Object.fromEntries(pathParams.map((p) => [p.name, pools[p.name] ?? fc.string({ maxLength: 20 })])),
        ),
        query: fc
          .tuple(
            // Each parameter present half of the time, mostly with a value of its type.
            fc
              .record(
                Object.fromEntries(
                  queryParams.map((p) => [
                    p.name,
                    fc.option(
                      fc.oneof(
                        { weight: 5, arbitrary: fromSchema(p.schema, 0, p.name).map(asText) },
                        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
                        { weight: 1, arbitrary: junk.map(asText) },
                      ),
                      { freq: 2 },
                    ),
                  ]),
                ),
              )
              .map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== null))),
            // Now and then a parameter the endpoint does not know.
            fc.oneof(
              { weight: 5, arbitrary: fc.constant(null) },
              { weight: 1, arbitrary: fc.string({ maxLength: 5 }) },
            ),
          )
          .map(([known, unknown]) => (unknown === null ? known : { ...known, unknownParam: unknown })),
        body:
          op.requestBody || op.method === 'POST' || op.method === 'PATCH'
            ? fc.option(bodyFor(bodySchema), { freq: 6 })
            : fc.constant(null),
        as: fc.constantFrom('admin', 'agent', 'admin'),
      });

      // A time budget per endpoint, but never fewer than MIN_RUNS real requests: on a loaded machine one
      // request can outlast the budget, and an endpoint checked zero times would prove nothing. Past the
      // budget the remaining runs only draw their input.
      const deadline = Date.now() + MS_PER_ENDPOINT;
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          if (checked >= MIN_RUNS && Date.now() > deadline) return;
          checked += 1;
          await check(r);
        }),
        { numRuns: RUNS_PER_ENDPOINT, seed: 20261122 },
      );

      async function check(r: {
        path: Record<string, unknown>;
        query: unknown;
        body: { raw: string; type: string | undefined } | null;
        as: string;
      }) {
        let url = op.path.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(r.path[key])));
        const query = new URLSearchParams(r.query as Record<string, string>).toString();
        if (query) url += `?${query}`;
        const headers: Record<string, string> = {
          authorization: `Bearer ${r.as === 'admin' ? adminToken : agentToken}`,
        };
        if (r.body?.type) headers['content-type'] = r.body.type;
        const before = await snapshot(t);
        const res = await t.fetch(url, {
          method: op.method,
          headers,
          ...(r.body ? { body: r.body.raw } : {}),
        });
        const text = await res.text();
        expect(res.status, `${op.method} ${url} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400) {
          refusedPerEndpoint[name] = (refusedPerEndpoint[name] ?? 0) + 1;
          // The TeamViewer-compatible facade answers TeamViewer's error body (docs/TEAMVIEWER-API.md); what the router refuses before
          // any route (an over-long path segment) is problem+json there as everywhere.
          const type = res.headers.get('content-type') ?? '';
          if (op.path.startsWith('/api/v1/sessions') && !type.includes('application/problem+json')) {
            expect(type, `${op.method} ${url}`).toContain('application/json');
            expect(JSON.parse(text)).toMatchObject({
              error: expect.any(String),
              error_code: expect.any(Number),
            });
          } else {
            expect(res.headers.get('content-type'), `${op.method} ${url}`).toContain(
              'application/problem+json',
            );
            expect(JSON.parse(text)).toMatchObject({ status: res.status, code: expect.any(String) });
          }
          const after = await snapshot(t);
          for (const table of Object.keys(before))
            expect(after[table], `${op.method} ${url} → ${res.status} changed ${table}`).toBe(before[table]);
        }
      }
    }
    process.stdout.write(`${JSON.stringify(refusedPerEndpoint)}\n`);
    // Every endpoint that takes input was actually made to refuse some of it.
    const neverRefused = Object.entries(refusedPerEndpoint)
      .filter(
        ([name, n]) =>
          n === 0 &&
          !/^GET \/(healthz|readyz|metrics|api\/v1\/(me|tokens|users|groups|webhooks|settings\/recording))$/.test(
            name,
          ),
      )
      .map(([name]) => name);
    expect(neverRefused).toEqual([]);
  }, 240_000);
});
