import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Customer link tokens were unique twice: in `cases` and in `session_codes`.
 * Each is an index on a random key, so every create dirtied one more random
 * page of a large B-tree. `session_codes` keeps the token (it must, to answer
 * 410 for a deleted case's link) and its unique index; `cases` drops its own,
 * and link look-ups go through `session_codes`.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect === 'postgres') {
    await sql`alter table cases drop constraint cases_customer_token_key`.execute(db);
    return;
  }
  // SQLite cannot drop a column's UNIQUE constraint: the table is rebuilt (https://sqlite.org/lang_altertable.html,
  // "other kinds of table schema changes"). Foreign keys are off meanwhile, or dropping the old table would
  // cascade-delete every case event; they are checked before the change is committed.
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql`begin`.execute(db);
    try {
      await sql`
        create table cases_rebuilt (
          id text primary key,
          org_id text not null references organizations (id) on delete cascade,
          code text not null unique,
          name text not null,
          description text,
          type text not null,
          status text not null,
          source text not null,
          group_id text not null references groups (id),
          assignee_id text references users (id),
          created_by_type text not null,
          created_by_id text,
          created_by_name text,
          customer_name text,
          customer_email text,
          customer_phone text,
          external_system text,
          external_type text,
          external_id text,
          external_url text,
          waiting_message text,
          customer_token text not null,
          agent_online integer default 0 not null,
          customer_online integer default 0 not null,
          created_at integer not null,
          updated_at integer not null,
          expires_at integer not null,
          closed_at integer,
          closed_by_type text,
          closed_by_id text,
          closed_by_name text
        )`.execute(db);
      await sql`insert into cases_rebuilt select * from cases`.execute(db);
      await sql`drop table cases`.execute(db);
      await sql`alter table cases_rebuilt rename to cases`.execute(db);
      // The indexes of 0001, which went with the old table.
      await sql`create index cases_org_created on cases (org_id, created_at, id)`.execute(db);
      await sql`create index cases_org_status_created on cases (org_id, status, created_at, id)`.execute(db);
      await sql`create index cases_org_assignee_created on cases (org_id, assignee_id, created_at)`.execute(
        db,
      );
      await sql`create index cases_org_external on cases (org_id, external_system, external_id)`.execute(db);
      await sql`create index cases_open_by_expiry on cases (expires_at) where status in ('new', 'pending', 'in_progress')`.execute(
        db,
      );
      await sql`create index cases_open_by_org_expiry on cases (org_id, expires_at) where status in ('new', 'pending', 'in_progress')`.execute(
        db,
      );
      const broken = await sql`pragma foreign_key_check`.execute(db);
      if (broken.rows.length > 0)
        throw new Error(`foreign keys broken by the rebuild: ${JSON.stringify(broken.rows)}`);
      await sql`commit`.execute(db);
    } catch (err) {
      await sql`rollback`.execute(db);
      throw err;
    }
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
