import type { Kysely } from 'kysely';

/**
 * "Connection" means a remote connection (the connections report); the rows of
 * partners' open session sockets get a name of their own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('live_connections').renameTo('live_sockets').execute();
}
