import { expect, it } from 'vitest';
import { apiError, describeEachDatabase } from '../../../test/harness.js';

describeEachDatabase('invitations without any provider: the local outbox', (t) => {
  it('keeps e-mail and SMS queued in the outbox, where admins read exactly what would be sent', async () => {
    const org = await t.newOrg('Acme');
    const c = await org.admin.cases.create({ name: 'x' });
    const mail = await org.admin.cases.invite(c.code, { channel: 'email', to: 'Cleo@Example.com' });
    t.clock.advance(1);
    const sms = await org.admin.cases.invite(c.code, { channel: 'sms', to: '+44 20 7946 0958' });
    expect(mail).toMatchObject({ status: 'queued', transport: 'local' });
    expect(sms).toMatchObject({ status: 'queued', transport: 'local', to: '+442079460958' });

    // Nothing to deliver through, so nothing is attempted, now or later.
    expect(await t.app.outbox.runOnce()).toBe(0);
    t.clock.advance(6 * 3_600_000);
    expect(await t.app.outbox.runOnce()).toBe(0);

    const outbox = await org.admin.outbox.list();
    expect(outbox.items.map((m) => m.id)).toEqual([sms.id, mail.id]);
    expect(outbox.items[0]).toMatchObject({ status: 'queued', attempts: 0, subject: null, html: null });
    expect(outbox.items[0]?.text).toContain(c.links.customer);
    expect(outbox.items[1]?.subject).toBe('Acme: your remote support session');
    expect(outbox.items[1]?.html).toContain(`href="${c.links.customer}"`);
    expect(outbox.items[1]?.text).toContain(c.code);

    expect((await org.admin.outbox.list({ status: 'sent' })).items).toEqual([]);
    const first = await org.admin.outbox.list({ transport: 'local', limit: 1 });
    expect(first.items.map((m) => m.id)).toEqual([sms.id]);
    const second = await org.admin.outbox.list({ limit: 1, cursor: first.nextCursor ?? '' });
    expect(second).toMatchObject({ items: [{ id: mail.id }], nextCursor: null });

    // Another organisation's admin sees none of it.
    const other = await t.newOrg();
    expect((await other.admin.outbox.list()).items).toEqual([]);
  });

  it('needs a country code when no default region is configured', async () => {
    const org = await t.newOrg();
    const c = await org.admin.cases.create({ name: 'x' });
    const err = await apiError(org.admin.cases.invite(c.code, { channel: 'sms', to: '030 1234567' }));
    expect(err.status).toBe(400);
    expect(err.problem.errors).toEqual([
      {
        path: 'to',
        message: 'is not a valid phone number in international format (start it with + and the country code)',
      },
    ]);
  });

  it('pages a case’s invitations newest first', async () => {
    const org = await t.newOrg();
    const c = await org.admin.cases.create({ name: 'x' });
    const ids: string[] = [];
    for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) {
      ids.push((await org.admin.cases.invite(c.code, { channel: 'email', to })).id);
    }
    const first = await org.admin.cases.invitations(c.code, { limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const rest = await org.admin.cases.invitations(c.code, { limit: 2, cursor: first.nextCursor ?? '' });
    expect(rest).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
  });
});
