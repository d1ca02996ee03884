import { afterEach, describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase } from '../../../test/harness.js';

const tokenOf = (customerLink: string) => customerLink.split('/j/')[1] ?? '';
const HOUR = 3_600_000;

describeEachDatabase(
  'customer join lookups',
  (t) => {
    describe('GET /api/v1/join/{token}', () => {
      it('shows the customer only what their page needs', async () => {
        const org = await t.newOrg('Acme Support');
        const c = await org.admin.cases.create({
          name: 'Printer',
          type: 'ar',
          waitingMessage: 'Hang on',
          customer: { email: 'private@example.com' },
        });
        const info = await t.client().join.byToken(tokenOf(c.links.customer));
        expect(info).toEqual({
          code: c.code,
          name: 'Printer',
          type: 'ar',
          status: 'new',
          waitingMessage: 'Hang on',
          organization: { name: 'Acme Support' },
          recorded: false,
          branding: null,
          token: tokenOf(c.links.customer),
        });
      });

      it('answers 410 once the case is closed, expired or deleted, and 404 for a token never issued', async () => {
        const org = await t.newOrg();
        const closed = await org.admin.cases.create({ name: 'closed' });
        const expired = await org.admin.cases.create({ name: 'expired', assigneeId: org.adminId });
        await org.admin.cases.close(closed.code);
        const deleted = await org.admin.cases.create({ name: 'deleted' });
        await org.admin.cases.delete(deleted.code);

        for (const c of [closed, deleted]) {
          const err = await apiError(t.client().join.byToken(tokenOf(c.links.customer)));
          expect(err.status).toBe(410);
          expect(err.problem).toMatchObject({
            code: 'session_ended',
            detail: 'This support session has ended.',
          });
        }
        t.clock.advance(HOUR);
        expect((await apiError(t.client().join.byToken(tokenOf(expired.links.customer)))).status).toBe(410);
        // Agents still read ended cases.
        expect((await org.admin.cases.get(expired.code)).status).toBe('expired');

        const stranger = await apiError(t.client().join.byToken('A'.repeat(32)));
        expect(stranger.status).toBe(404);
        expect((await apiError(t.client().join.byToken('short'))).status).toBe(400);
      });
    });

    describe('POST /api/v1/join/by-code', () => {
      // All look-ups come from one address; each test starts with a fresh allowance.
      afterEach(() => t.clock.advance(60_000));

      it('finds the case by the code however the customer typed it', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'By code' });
        const digits = c.code.replace(/\D/g, '');
        for (const typed of [
          c.code,
          digits,
          `${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)}`,
        ]) {
          expect((await t.client().join.byCode(typed)).token).toBe(tokenOf(c.links.customer));
        }
      });

      it('answers 400 for something that is not a code, 404 for an unknown code and 410 for an ended case', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        await org.admin.cases.close(c.code);
        const bad = await apiError(t.client().join.byCode('12-34'));
        expect(bad.problem.errors).toEqual([
          { path: 'code', message: 'must be the 8 digits of the session code' },
        ]);
        expect((await apiError(t.client().join.byCode('s00-000-001'))).status).toBe(404);
        expect((await apiError(t.client().join.byCode(c.code))).status).toBe(410);
      });

      it('limits look-ups per address and says when to retry', async () => {
        const org = await t.newOrg();
        const c = await org.admin.cases.create({ name: 'x' });
        for (let i = 0; i < 10; i++)
          await apiError(t.client().join.byCode(`s00-000-${String(i).padStart(3, '0')}`));
        const limited = await apiError(t.client().join.byCode(c.code));
        expect(limited.status).toBe(429);
        expect(limited.problem.code).toBe('rate_limited');
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        t.clock.advance(60_000);
        expect((await t.client().join.byCode(c.code)).code).toBe(c.code);
      });
    });
  },
  { config: { caseTtlMs: HOUR } },
);
