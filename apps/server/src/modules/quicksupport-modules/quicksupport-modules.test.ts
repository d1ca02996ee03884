import { randomBytes } from 'node:crypto';
import { createClient } from '@lifeline/client';
import type { CreateModuleRequest } from '@lifeline/contracts';
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, type TestOrg, type TestServer } from '../../../test/harness.js';
import { caseNameFor } from './quicksupport-modules.service.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const SVG = Buffer.from(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
);

const slug = () => `help-${randomBytes(4).toString('hex')}`;

/** A customer's browser, from an address of its own (the server trusts X-Forwarded-For in this suite). */
function customer(t: TestServer, address = `10.0.${randomBytes(1)[0]}.${randomBytes(1)[0]}`) {
  return createClient({
    baseUrl: t.baseUrl,
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as object), 'x-forwarded-for': address } }),
  });
}

async function newModule(org: TestOrg, overrides: Partial<CreateModuleRequest> = {}) {
  return org.admin.modules.create({ slug: slug(), title: 'Acme Help', ...overrides });
}

async function caseCount(t: TestServer) {
  const row = await t.db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sections of an INI-style file (.url, .desktop), keys as written. */
function parseIni(text: string) {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const section = /^\[(.+)\]$/.exec(line);
    if (section?.[1]) {
      current = {};
      sections[section[1]] = current;
    } else if (current && line.includes('=')) {
      const at = line.indexOf('=');
      current[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return sections;
}

describe('caseNameFor', () => {
  it('takes the first non-empty line of the problem, shortened to 80 characters', () => {
    expect(caseNameFor('Acme Help', { description: '\n  Printer jams\nsince Monday' })).toBe('Printer jams');
    const long = caseNameFor('Acme Help', { description: 'x'.repeat(200) });
    expect(long).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
  });

  it('falls back to who asks, then to the page title', () => {
    expect(caseNameFor('Acme Help', { name: 'Carla' })).toBe('Help request from Carla');
    expect(caseNameFor('Acme Help', {})).toBe('Acme Help request');
  });
});

describeEachDatabase(
  'QuickSupport modules',
  (t) => {
    describe('POST /api/v1/modules', () => {
      it('creates a module with sensible defaults, and lists, changes and deletes it', async () => {
        const org = await t.newOrg();
        const s = slug();
        const created = await org.admin.modules.create({ slug: s, title: 'Acme Help' });
        expect(created).toMatchObject({
          slug: s,
          title: 'Acme Help',
          accentColor: '#1c7ed6',
          fields: { name: 'required', email: 'optional', description: 'required' },
          caseType: 'remote_control',
          groupId: org.groupId,
          enabled: true,
          logoUrl: null,
          links: { page: `http://lifeline.test/qs/${s}`, sos: `http://lifeline.test/qs/${s}?sos=1` },
        });
        expect(await org.admin.modules.list()).toEqual([created]);

        const changed = await org.admin.modules.update(created.id, {
          title: 'Acme Service Desk',
          accentColor: '#E8590C',
          fields: { name: 'optional', email: 'required', description: 'off' },
          waitingMessage: 'An expert will be with you shortly.',
          enabled: false,
        });
        expect(changed).toMatchObject({
          title: 'Acme Service Desk',
          accentColor: '#e8590c',
          fields: { name: 'optional', email: 'required', description: 'off' },
          waitingMessage: 'An expert will be with you shortly.',
          enabled: false,
        });
        await org.admin.modules.delete(created.id);
        expect(await org.admin.modules.list()).toEqual([]);
        expect((await apiError(org.admin.modules.get(created.id))).status).toBe(404);
      });

      it('refuses bad input with the field at fault, and creates nothing', async () => {
        const org = await t.newOrg();
        for (const [body, path] of [
          [{ slug: 'Has Spaces', title: 'x' }, 'slug'],
          [{ slug: '-dash', title: 'x' }, 'slug'],
          [{ slug: slug(), title: '' }, 'title'],
          [{ slug: slug(), title: 'x'.repeat(101) }, 'title'],
          [{ slug: slug(), title: 'x', accentColor: 'red' }, 'accentColor'],
          [
            { slug: slug(), title: 'x', fields: { name: 'sometimes', email: 'off', description: 'off' } },
            'fields.name',
          ],
          [{ slug: slug(), title: 'x', welcomeText: 'w'.repeat(2001) }, 'welcomeText'],
        ] as const) {
          const err = await apiError(org.admin.modules.create(body as CreateModuleRequest));
          expect(err.status, JSON.stringify(body)).toBe(400);
          expect(err.problem.errors?.map((e) => e.path)).toContain(path);
        }
        const foreign = await t.newOrg('Other');
        const err = await apiError(newModule(org, { groupId: foreign.groupId }));
        expect(err.problem.errors).toEqual([
          { path: 'groupId', message: 'is not a group of your organisation' },
        ]);
        expect(await org.admin.modules.list()).toEqual([]);
      });

      it('answers 409 for an address another module uses, in any organisation', async () => {
        const org = await t.newOrg();
        const other = await t.newOrg('Other');
        const taken = await newModule(other);
        const err = await apiError(newModule(org, { slug: taken.slug }));
        expect(err.status).toBe(409);
        expect(err.code).toBe('slug_taken');
        expect(await org.admin.modules.list()).toEqual([]);
        const mine = await newModule(org);
        expect((await apiError(org.admin.modules.update(mine.id, { slug: taken.slug }))).code).toBe(
          'slug_taken',
        );
        expect((await org.admin.modules.get(mine.id)).slug).toBe(mine.slug);
      });

      it('is for admins only, and another organisation’s module is not found', async () => {
        const org = await t.newOrg();
        const agent = await t.newAgent(org);
        expect((await apiError(agent.client.modules.list())).status).toBe(403);
        expect((await apiError(newModule({ ...org, admin: agent.client }))).status).toBe(403);
        const module = await newModule(org);
        const other = await t.newOrg('Other');
        expect((await apiError(other.admin.modules.get(module.id))).status).toBe(404);
        expect((await apiError(other.admin.modules.update(module.id, { title: 'mine' }))).status).toBe(404);
        expect((await apiError(other.admin.modules.delete(module.id))).status).toBe(404);
        expect((await org.admin.modules.get(module.id)).title).toBe('Acme Help');
      });
    });

    describe('PUT /api/v1/modules/{id}/logo', () => {
      it('takes the image type from its content and serves it back inert', async () => {
        const org = await t.newOrg();
        const module = await newModule(org);
        const withLogo = await org.admin.modules.uploadLogo(module.id, PNG, 'application/octet-stream');
        expect(withLogo.logoUrl).toMatch(new RegExp(`^/api/v1/public/modules/${module.slug}/logo\\?v=`));
        const res = await t.fetch(withLogo.logoUrl ?? '');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/png');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);

        t.clock.advance(1000);
        const replaced = await org.admin.modules.uploadLogo(module.id, PNG, 'image/png');
        expect(replaced.logoUrl).not.toBe(withLogo.logoUrl);
        const removed = await org.admin.modules.removeLogo(module.id);
        expect(removed.logoUrl).toBeNull();
        expect((await t.fetch(withLogo.logoUrl ?? '')).status).toBe(404);
      });

      it('refuses SVG, files that are not images, empty and oversized files, and keeps the module as it was', async () => {
        const org = await t.newOrg();
        const module = await newModule(org);
        const svg = await apiError(org.admin.modules.uploadLogo(module.id, SVG, 'image/png'));
        expect(svg.status).toBe(415);
        expect(svg.code).toBe('unsupported_logo');
        expect(svg.problem.detail).toMatch(/SVG/);
        const text = await apiError(
          org.admin.modules.uploadLogo(module.id, Buffer.from('hello'), 'image/png'),
        );
        expect(text.status).toBe(415);
        expect(text.problem.detail).toBe('The file is not a PNG, JPEG, GIF or WebP image.');
        const empty = await apiError(org.admin.modules.uploadLogo(module.id, Buffer.alloc(0), 'image/png'));
        expect(empty.status).toBe(400);
        const big = Buffer.concat([PNG, Buffer.alloc(300 * 1024)]);
        expect((await apiError(org.admin.modules.uploadLogo(module.id, big, 'image/png'))).status).toBe(413);
        const json = await t.fetch(`/api/v1/modules/${module.id}/logo`, { method: 'PUT', body: 'x' });
        expect(json.status).toBe(401);
        expect((await org.admin.modules.get(module.id)).logoUrl).toBeNull();
        expect(await t.db.selectFrom('module_logos').selectAll().execute()).toEqual([]);
      });
    });

    describe('GET /api/v1/public/modules/{slug}', () => {
      it('shows the branding and the form, nothing internal', async () => {
        const org = await t.newOrg('Acme Support');
        const module = await newModule(org, {
          welcomeText: 'Tell us what is wrong.',
          accentColor: '#2f9e44',
          caseType: 'ar',
          waitingMessage: 'secret-ish internal routing',
        });
        expect(await customer(t).quickSupport.page(module.slug)).toEqual({
          slug: module.slug,
          title: 'Acme Help',
          welcomeText: 'Tell us what is wrong.',
          accentColor: '#2f9e44',
          logoUrl: null,
          fields: { name: 'required', email: 'optional', description: 'required' },
          caseType: 'ar',
          organization: { name: 'Acme Support' },
        });
      });

      it('tells an unknown page from a switched-off one', async () => {
        const org = await t.newOrg();
        const module = await newModule(org, { enabled: false });
        const off = await apiError(customer(t).quickSupport.page(module.slug));
        expect([off.status, off.code]).toEqual([404, 'module_disabled']);
        const unknown = await apiError(customer(t).quickSupport.page('no-such-page'));
        expect([unknown.status, unknown.code]).toEqual([404, 'module_not_found']);
      });
    });

    describe('POST /api/v1/public/modules/{slug}/requests', () => {
      it('creates a case in the module’s group, named from the problem, that the queue and the join link show', async () => {
        const org = await t.newOrg('Acme Support');
        const group = await org.admin.groups.create('Field service');
        const module = await newModule(org, {
          groupId: group.id,
          caseType: 'ar',
          waitingMessage: 'An expert joins shortly.',
          accentColor: '#e8590c',
        });
        await org.admin.modules.uploadLogo(module.id, PNG, 'image/png');
        const { code, token } = await customer(t).quickSupport.request(module.slug, {
          name: 'Carla Customer',
          email: 'carla@example.com',
          description: 'The pump makes a noise\nSince this morning.',
        });

        const c = await org.admin.cases.get(code);
        expect(c).toMatchObject({
          name: 'The pump makes a noise',
          description: 'The pump makes a noise\nSince this morning.',
          type: 'ar',
          status: 'new',
          source: 'module',
          groupId: group.id,
          assigneeId: null,
          createdBy: { type: 'customer', id: null, name: 'Carla Customer' },
          customer: { name: 'Carla Customer', email: 'carla@example.com', phone: null },
          waitingMessage: 'An expert joins shortly.',
        });
        expect(c.links.customer).toBe(`http://lifeline.test/j/${token}`);
        expect((await org.admin.cases.list({ source: 'module' })).items.map((i) => i.code)).toEqual([code]);

        const info = await customer(t).join.byToken(token);
        expect(info.branding).toEqual({
          title: 'Acme Help',
          accentColor: '#e8590c',
          logoUrl: (await org.admin.modules.get(module.id)).logoUrl,
        });
        const events = await org.admin.cases.events(code);
        expect(events.items[0]).toMatchObject({
          type: 'case.created',
          actor: { type: 'customer', name: 'Carla Customer' },
          data: { source: 'module', groupId: group.id },
        });
      });

      it('records a request from the SOS shortcut with source sos', async () => {
        const org = await t.newOrg();
        const module = await newModule(org, {
          fields: { name: 'optional', email: 'off', description: 'off' },
        });
        const { code } = await customer(t).quickSupport.request(module.slug, { sos: true });
        expect(await org.admin.cases.get(code)).toMatchObject({ source: 'sos', name: 'Acme Help request' });
      });

      it('lists every missing required field and every field the page does not ask for, and creates nothing', async () => {
        const org = await t.newOrg();
        const module = await newModule(org, {
          fields: { name: 'required', email: 'off', description: 'required' },
        });
        const before = await caseCount(t);
        const missing = await apiError(customer(t).quickSupport.request(module.slug, { name: '  ' }));
        expect(missing.status).toBe(400);
        expect(missing.problem.errors).toEqual([
          { path: 'name', message: 'is required' },
          { path: 'description', message: 'is required' },
        ]);
        expect(missing.problem.detail).toBe('Your name is required. Problem description is required.');
        const unasked = await apiError(
          customer(t).quickSupport.request(module.slug, {
            name: 'C',
            description: 'd',
            email: 'c@example.com',
          }),
        );
        expect(unasked.problem.errors).toEqual([{ path: 'email', message: 'is not asked for on this page' }]);
        expect(await caseCount(t)).toBe(before);
      });

      it('refuses long and malformed fields and unknown ones with clear messages, and creates nothing', async () => {
        const org = await t.newOrg();
        const module = await newModule(org);
        const before = await caseCount(t);
        const c = customer(t);
        const long = await apiError(
          c.quickSupport.request(module.slug, { name: 'C', description: 'x'.repeat(2001) }),
        );
        expect(long.problem.errors).toEqual([
          { path: 'description', message: 'must be at most 2000 characters' },
        ]);
        const email = await apiError(
          c.quickSupport.request(module.slug, { name: 'C', description: 'd', email: 'not-an-address' }),
        );
        expect(email.problem.errors).toEqual([{ path: 'email', message: 'must be an e-mail address' }]);
        const extra = await t.fetch(`/api/v1/public/modules/${module.slug}/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'C', description: 'd', groupId: org.groupId }),
        });
        expect(extra.status).toBe(400);
        const notJson = await t.fetch(`/api/v1/public/modules/${module.slug}/requests`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'help',
        });
        expect(notJson.status).toBe(415);
        expect(await caseCount(t)).toBe(before);
      });

      it('answers 404 on a switched-off or unknown page and creates nothing', async () => {
        const org = await t.newOrg();
        const module = await newModule(org, { enabled: false });
        const before = await caseCount(t);
        const err = await apiError(
          customer(t).quickSupport.request(module.slug, { name: 'C', description: 'd' }),
        );
        expect(err.code).toBe('module_disabled');
        expect((await apiError(customer(t).quickSupport.request('nowhere', { name: 'C' }))).status).toBe(404);
        expect(await caseCount(t)).toBe(before);
      });

      it('limits requests per address: the sixth in 15 minutes answers 429 with Retry-After', async () => {
        const org = await t.newOrg();
        const module = await newModule(org);
        const c = customer(t, '192.0.2.77');
        for (let i = 0; i < 5; i++)
          await c.quickSupport.request(module.slug, { name: 'C', description: `try ${i}` });
        const before = await caseCount(t);
        const limited = await apiError(
          c.quickSupport.request(module.slug, { name: 'C', description: 'again' }),
        );
        expect(limited.status).toBe(429);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await caseCount(t)).toBe(before);
        await customer(t, '192.0.2.78').quickSupport.request(module.slug, {
          name: 'D',
          description: 'other address',
        });
        t.clock.advance(15 * 60_000);
        await c.quickSupport.request(module.slug, { name: 'C', description: 'later' });
        expect(await caseCount(t)).toBe(before + 2);
      });
    });

    describe('GET /api/v1/public/modules/{slug}/sos/{platform}', () => {
      it('downloads Windows, macOS and Linux shortcuts that open the module page marked as SOS', async () => {
        const org = await t.newOrg();
        const module = await newModule(org, { title: 'Acme "Help" / Desk' });
        const download = async (platform: string) => {
          const res = await t.fetch(`/api/v1/public/modules/${module.slug}/sos/${platform}`);
          expect(res.status).toBe(200);
          return { disposition: res.headers.get('content-disposition') ?? '', text: await res.text() };
        };

        const windows = await download('windows');
        expect(windows.disposition).toContain('filename="Acme Help Desk SOS.url"');
        expect(parseIni(windows.text).InternetShortcut?.URL).toBe(module.links.sos);

        const mac = await download('macos');
        expect(mac.disposition).toMatch(/\.webloc"/);
        expect(plist.parse(mac.text)).toEqual({ URL: module.links.sos });

        const linux = await download('linux');
        expect(linux.disposition).toMatch(/\.desktop"/);
        const entry = parseIni(linux.text)['Desktop Entry'];
        expect(entry).toMatchObject({
          Type: 'Application',
          Name: 'Acme "Help" / Desk SOS',
          Terminal: 'false',
        });
        expect(entry?.Exec).toBe(`xdg-open "${module.links.sos}"`);
        // The browser test opens this address and lands on the module's page.
        expect(module.links.sos).toBe(`http://lifeline.test/qs/${module.slug}?sos=1`);
      });

      it('answers 400 for an unknown platform and 404 for a switched-off module', async () => {
        const org = await t.newOrg();
        const module = await newModule(org, { enabled: false });
        expect((await t.fetch(`/api/v1/public/modules/${module.slug}/sos/amiga`)).status).toBe(400);
        expect((await t.fetch(`/api/v1/public/modules/${module.slug}/sos/linux`)).status).toBe(404);
      });
    });
  },
  { config: { trustProxy: true } },
);
