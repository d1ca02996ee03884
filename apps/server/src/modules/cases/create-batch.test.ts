import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness.js';

// On SQLite, creates that arrive together share one transaction (group commit); on PostgreSQL each
// has its own. Either way a create that fails must fail alone.
describeEachDatabase('creates submitted together', (t) => {
  it('fail one by one: a bad create is refused and leaves no trace, the others are committed', async () => {
    const org = await t.newOrg();
    const template = await org.admin.cases.create({ name: 'template' });
    const row = await t.db
      .selectFrom('cases')
      .selectAll()
      .where('code', '=', template.code)
      .executeTakeFirstOrThrow();
    const newRow = (name: string, groupId = row.group_id) => {
      const { code: _code, ...rest } = row;
      return {
        ...rest,
        id: randomBytes(8).toString('hex'),
        name,
        group_id: groupId,
        customer_token: randomBytes(24).toString('base64url'),
      };
    };
    const rows = [newRow('first'), newRow('orphan', 'no-such-group'), newRow('third')];
    const results = await Promise.allSettled(rows.map((r) => t.app.services.ledger.create(r, [])));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = await t.db
      .selectFrom('cases')
      .select('name')
      .where('org_id', '=', org.orgId)
      .orderBy('name')
      .execute();
    expect(names.map((n) => n.name)).toEqual(['first', 'template', 'third']);
    const tokens = await t.db
      .selectFrom('session_codes')
      .select('customer_token')
      .where(
        'customer_token',
        'in',
        rows.map((r) => r.customer_token),
      )
      .execute();
    expect(tokens).toHaveLength(2);
    expect(tokens.map((x) => x.customer_token)).not.toContain(rows[1]?.customer_token);
  });
});
