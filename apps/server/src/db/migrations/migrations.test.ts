import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASES, storedCase, withSchemaLock } from '../../../test/harness.js';
import { migrateToLatest } from '../database.js';
import { migrationNames, migrationProvider } from './index.js';

describe.each(DATABASES)('migrations [%s]', (kind) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  afterEach(async () => {
    await database?.handle.destroy();
    await database?.drop();
  });

  it('0002 keeps every case and its events, and the link token unique only in session_codes', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    const { handle } = database;
    const { db } = handle;
    const migrator = new Migrator({
      db,
      provider: migrationProvider({ dialect: handle.dialect }),
      ...(handle.schema ? { migrationTableSchema: handle.schema } : {}),
    });
    const to0001 = await withSchemaLock(() => migrator.migrateTo('0001_initial'));
    if (to0001.error) throw to0001.error;

    await db.insertInto('organizations').values({ id: 'o1', name: 'Acme', created_at: 1 }).execute();
    await db
      .insertInto('groups')
      .values({ id: 'g1', org_id: 'o1', name: 'Support', created_at: 1 })
      .execute();
    const kase = storedCase({
      id: 'c1',
      org_id: 'o1',
      code: 's12-345-678',
      group_id: 'g1',
      customer_token: 'token-1',
      created_at: 1,
      expires_at: 2,
    });
    // As 0001 stored it: later columns do not exist yet.
    const {
      module_id: _addedBy0005,
      assigned_at: _a,
      custom_api: _addedBy0007,
      closing_note: _addedBy0009,
      ...at0001
    } = kase;
    await db.insertInto('cases').values(at0001).execute();
    const event = {
      case_id: 'c1',
      org_id: 'o1',
      type: 'case.created',
      actor_type: 'system' as const,
      actor_id: null,
      actor_name: null,
      data: '{}',
      created_at: 1,
    };
    await db.insertInto('case_events').values(event).execute();

    expect(await withSchemaLock(() => migrateToLatest(handle))).toEqual(migrationNames.slice(1));

    expect(await db.selectFrom('cases').selectAll().execute()).toEqual([kase]);
    expect(await db.selectFrom('case_events').select(['case_id', 'type']).execute()).toEqual([
      { case_id: 'c1', type: 'case.created' },
    ]);
    // Foreign keys still hold (and still cascade) after SQLite's rebuild.
    await expect(
      db
        .insertInto('case_events')
        .values({ ...event, case_id: 'missing' })
        .execute(),
    ).rejects.toThrow();
    // A repeated link token is refused by session_codes alone.
    await db
      .insertInto('session_codes')
      .values({ code: 'a', customer_token: 'token-2', created_at: 1 })
      .execute();
    await expect(
      db
        .insertInto('session_codes')
        .values({ code: 'b', customer_token: 'token-2', created_at: 1 })
        .execute(),
    ).rejects.toThrow();
    await db
      .insertInto('cases')
      .values({ ...kase, id: 'c2', code: 's87-654-321' })
      .execute();
    await db.deleteFrom('cases').where('id', '=', 'c1').execute();
    expect(await db.selectFrom('case_events').selectAll().execute()).toEqual([]);
  });
});
