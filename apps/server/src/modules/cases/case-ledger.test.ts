import { beforeAll, describe, expect, it } from 'vitest';
import { apiError, describeEachDatabase } from '../../../test/harness.js';
import { TestSocket, wsUrl } from '../../../test/sockets.js';
import { caseEvent } from './case-events.js';
import type { CaseLedgerEvents } from './case-ledger.js';

type Heard = { name: keyof CaseLedgerEvents; payload: CaseLedgerEvents[keyof CaseLedgerEvents] };

describeEachDatabase('the case ledger', (t) => {
  const heard: Heard[] = [];
  beforeAll(() => {
    t.app.services.ledger.events.on('case.changed', (payload) =>
      heard.push({ name: 'case.changed', payload }),
    );
    t.app.services.ledger.events.on('case.ended', (payload) => heard.push({ name: 'case.ended', payload }));
  });
  const of = (code: string) => heard.filter((h) => h.payload.code === code);

  describe('announcements after commit', () => {
    it('announces a create, an update, a close and a delete, each once, with the audit entries it wrote', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer offline' });
      await org.admin.cases.update(c.code, { name: 'Printer still offline' });
      await org.admin.cases.close(c.code);
      const d = await org.admin.cases.create({ name: 'Scanner' });
      await org.admin.cases.delete(d.code);

      expect(
        of(c.code).map((h) => [h.name, 'audit' in h.payload ? h.payload.audit : h.payload.reason]),
      ).toEqual([
        ['case.changed', ['case.created']],
        ['case.changed', ['case.updated']],
        ['case.ended', 'closed'],
      ]);
      expect(of(d.code).map((h) => h.name)).toEqual(['case.changed', 'case.ended']);
      expect(of(d.code)[1]?.payload).toMatchObject({ reason: 'deleted', orgId: org.orgId });
    });

    it('announces nothing and writes nothing when the in-transaction work fails', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer offline' });
      const row = await t.db
        .selectFrom('cases')
        .selectAll()
        .where('code', '=', c.code)
        .executeTakeFirstOrThrow();
      const before = of(c.code).length;
      await expect(
        t.app.services.ledger.transact(row.id, async (tx) => {
          tx.update({ name: 'renamed' });
          tx.append(
            caseEvent(row, 'case.updated', { type: 'system', id: null, name: null }, {}, t.clock.now()),
          );
          throw new Error('the caller’s own write failed');
        }),
      ).rejects.toThrow('own write failed');
      const after = await t.db
        .selectFrom('cases')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      expect(after.name).toBe('Printer offline');
      const events = await t.db
        .selectFrom('case_events')
        .select('type')
        .where('case_id', '=', row.id)
        .execute();
      expect(events.map((e) => e.type)).toEqual(['case.created']);
      expect(of(c.code)).toHaveLength(before);
    });

    it('refuses a status change of an ended case, whoever asks', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer offline' });
      await org.admin.cases.close(c.code);
      const row = await t.db
        .selectFrom('cases')
        .selectAll()
        .where('code', '=', c.code)
        .executeTakeFirstOrThrow();
      await expect(
        t.app.services.ledger.transact(row.id, async (tx) => tx.update({ status: 'in_progress' })),
      ).rejects.toMatchObject({ status: 409, code: 'case_ended' });
      expect((await org.admin.cases.get(c.code)).status).toBe('closed');
    });
  });

  describe('invitations', () => {
    it('reach other consoles of the organisation live, as every other change does', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer offline' });
      const consoleSocket = TestSocket.open(wsUrl(t.baseUrl, '/ws/console'), {
        cookie: org.admin.sessionCookie() ?? '',
      });
      await consoleSocket.next('ready');
      await org.admin.cases.invite(c.code, { channel: 'email', to: 'cleo@example.com' });
      await expect
        .poll(() => consoleSocket.received.some((m) => m.type === 'case.changed' && m.case.code === c.code))
        .toBe(true);
      await consoleSocket.close();
    });

    it('queues nothing for a closed case (409), and the audit trail keeps no invitation', async () => {
      const org = await t.newOrg();
      const c = await org.admin.cases.create({ name: 'Printer offline' });
      await org.admin.cases.close(c.code);
      const err = await apiError(
        org.admin.cases.invite(c.code, { channel: 'email', to: 'cleo@example.com' }),
      );
      expect(err.status).toBe(409);
      const events = await org.admin.cases.events(c.code);
      expect(events.items.map((e) => e.type)).not.toContain('invitation.queued');
      const outbox = await t.db
        .selectFrom('outbox_messages')
        .select('id')
        .where('case_code', '=', c.code)
        .execute();
      expect(outbox).toHaveLength(0);
    });
  });
});
