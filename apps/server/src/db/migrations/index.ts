import type { Kysely, Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_one_customer_token_index.js';
import * as m0003 from './0003_outbox.js';
import * as m0004 from './0004_live_sessions.js';
import * as m0005 from './0005_modules.js';
import * as m0006 from './0006_oauth.js';
import * as m0007 from './0007_case_assignment_and_custom_api.js';
import * as m0008 from './0008_live_sockets.js';
import * as m0009 from './0009_closing_note.js';
import * as m0010 from './0010_recordings.js';
import type { MigrationContext } from './context.js';

type Module = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

/** Ordered by name; add new files here. Migrations only move forward. */
const migrations: Record<string, Module> = {
  '0001_initial': m0001,
  '0002_one_customer_token_index': m0002,
  '0003_outbox': m0003,
  '0004_live_sessions': m0004,
  '0005_modules': m0005,
  '0006_oauth': m0006,
  '0007_case_assignment_and_custom_api': m0007,
  '0008_live_sockets': m0008,
  '0009_closing_note': m0009,
  '0010_recordings': m0010,
};

export const migrationNames = Object.keys(migrations);

export function migrationProvider(ctx: MigrationContext): MigrationProvider {
  return {
    async getMigrations() {
      return Object.fromEntries(
        Object.entries(migrations).map(([name, m]): [string, Migration] => [
          name,
          { up: (db) => m.up(db, ctx) },
        ]),
      );
    },
  };
}
