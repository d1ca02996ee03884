import { describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase, storedCase } from '../../../test/harness.js';

const HOUR = 3_600_000;

describeEachDatabase(
  'case expiry',
  (t) => {
    describe('reading', () => {
      it('reports a case as expired the moment expiresAt passes, before any sweep', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'Slow customer' });
        expect(Date.parse(c.expiresAt) - Date.parse(c.createdAt)).toBe(2 * HOUR);

        t.clock.advance(2 * HOUR - 1);
        expect((await org.admin.cases.get(c.code)).status).toBe('new');
        // Asked once while still new, so a queue cache would hold this page.
        expect((await org.admin.cases.list({ status: ['new'] })).items.map((x) => x.code)).toEqual([c.code]);
        t.clock.advance(1);
        expect((await org.admin.cases.get(c.code)).status).toBe('expired');

        expect((await org.admin.cases.list({ status: ['expired'] })).items.map((x) => x.code)).toEqual([
          c.code,
        ]);
        expect((await org.admin.cases.list({ status: ['new'] })).items).toEqual([]);
        const stored = await t.db
          .selectFrom('cases')
          .select('status')
          .where('code', '=', c.code)
          .executeTakeFirst();
        expect(stored?.status).toBe('new');
      });

      it('answers 409 when closing or changing an expired case, and changes nothing', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        t.clock.advance(2 * HOUR);
        const close = await apiError(org.admin.cases.close(c.code));
        expect(close.status).toBe(409);
        expect(close.problem.code).toBe('case_expired');
        expect((await apiError(org.admin.cases.update(c.code, { name: 'y' }))).status).toBe(409);
        expect(await org.admin.cases.get(c.code)).toMatchObject({
          name: 'x',
          status: 'expired',
          closedAt: null,
        });
      });

      it('keeps a case closed in time closed after its expiry time', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        await org.admin.cases.close(c.code);
        t.clock.advance(3 * HOUR);
        await t.app.sweeper.sweep();
        expect((await org.admin.cases.get(c.code)).status).toBe('closed');
      });
    });

    describe('the sweep', () => {
      it('stores expired with one audit event per case, exactly once', async () => {
        const org = await t.newOrg();
        const due = await org.admin.cases.create({ name: 'due' });
        t.clock.advance(HOUR);
        const notYet = await org.admin.cases.create({ name: 'not yet' });
        t.clock.advance(HOUR);

        await Promise.all([t.app.sweeper.sweep(), t.app.sweeper.sweep()]);
        await t.app.sweeper.sweep();

        const rows = await t.db
          .selectFrom('cases')
          .select(['code', 'status', 'updated_at'])
          .where('org_id', '=', org.orgId)
          .orderBy('code')
          .execute();
        expect(Object.fromEntries(rows.map((r) => [r.code, r.status]))).toEqual({
          [due.code]: 'expired',
          [notYet.code]: 'new',
        });
        const events = (await org.admin.cases.events(due.code)).items;
        expect(events.map((e) => e.type)).toEqual(['case.created', 'case.expired']);
        expect(events[1]).toMatchObject({
          actor: { type: 'system', id: null, name: null },
          data: { from: 'new', expiresAt: due.expiresAt },
        });
        expect((await org.admin.cases.events(notYet.code)).items.map((e) => e.type)).toEqual([
          'case.created',
        ]);
      });

      it('works through more due cases than one batch', async () => {
        const org = await t.newOrg();
        const now = t.clock.now();
        const pad3 = (n: number) => String(n).padStart(3, '0');
        const codes = Array.from(
          { length: 1203 },
          (_, i) => `s77-${pad3(Math.floor(i / 1000))}-${pad3(i % 1000)}`,
        );
        const rows = codes.map((code, i) =>
          storedCase({
            id: `bulk-${org.orgId}-${i}`,
            org_id: org.orgId,
            code,
            name: `bulk ${i}`,
            status: 'pending',
            group_id: org.groupId,
            customer_token: `bulk-${org.orgId}-${i}`,
            created_at: now - 3 * HOUR,
            expires_at: now - HOUR,
          }),
        );
        // SQLite caps bound variables per statement.
        for (let i = 0; i < rows.length; i += 200) {
          await t.db
            .insertInto('cases')
            .values(rows.slice(i, i + 200))
            .execute();
        }
        expect(await t.app.sweeper.sweep()).toBeGreaterThanOrEqual(1203);
        const left = await t.db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', org.orgId)
          .where('status', '!=', 'expired')
          .executeTakeFirstOrThrow();
        expect(Number(left.n)).toBe(0);
        const events = await t.db
          .selectFrom('case_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', org.orgId)
          .where('type', '=', 'case.expired')
          .executeTakeFirstOrThrow();
        expect(Number(events.n)).toBe(1203);
      });
    });
  },
  { config: { caseTtlMs: 2 * HOUR } },
);
