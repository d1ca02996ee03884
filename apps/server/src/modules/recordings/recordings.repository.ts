import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, RecordingRow } from '../../db/schema.js';
import type { Trx } from '../cases/case-ledger.js';

/** Recordings and the organisation's recording settings (its two columns of `organizations`). */
export class RecordingsRepository {
  constructor(private readonly db: Db) {}

  settings(orgId: string) {
    return this.db
      .selectFrom('organizations')
      .select(['recording_enabled', 'recording_retention_days'])
      .where('id', '=', orgId)
      .executeTakeFirst();
  }

  async updateSettings(
    orgId: string,
    patch: { recording_enabled?: number; recording_retention_days?: number },
  ) {
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable('organizations').set(patch).where('id', '=', orgId).execute();
  }

  insert(trx: Trx, row: Insertable<Database['recordings']>) {
    return trx.insertInto('recordings').values(row).execute();
  }

  find(orgId: string, caseId: string, id: string): Promise<RecordingRow | undefined> {
    return this.db
      .selectFrom('recordings')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('case_id', '=', caseId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  ofCase(caseId: string): Promise<RecordingRow[]> {
    return this.db
      .selectFrom('recordings')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
  }

  /** Counts chunk `seq` as stored, unless another request stored it first or the recording finished. */
  async advance(id: string, seq: number, sizeBytes: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('recordings')
      .set({ chunks: seq + 1, size_bytes: sizeBytes, updated_at: now })
      .where('id', '=', id)
      .where('chunks', '=', seq)
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async finish(id: string, now: number) {
    await this.db
      .updateTable('recordings')
      .set({ finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('finished_at', 'is', null)
      .execute();
  }

  async organizationsWithRecordings(): Promise<{ id: string; recording_retention_days: number | null }[]> {
    return this.db
      .selectFrom('organizations')
      .select(['id', 'recording_retention_days'])
      .where((eb) =>
        eb.exists(
          eb.selectFrom('recordings').select('id').whereRef('recordings.org_id', '=', 'organizations.id'),
        ),
      )
      .execute();
  }

  /** Recordings that started at `cutoff` or before: as old as the retention, or older. */
  startedBy(orgId: string, cutoff: number, limit: number): Promise<RecordingRow[]> {
    return this.db
      .selectFrom('recordings')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('started_at', '<=', cutoff)
      .orderBy('started_at')
      .limit(limit)
      .execute();
  }

  /** Recordings whose case was deleted while their removal had not run (a crash between the two). */
  orphans(limit: number): Promise<RecordingRow[]> {
    return this.db
      .selectFrom('recordings')
      .selectAll()
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom('cases').select('id').whereRef('cases.id', '=', 'recordings.case_id')),
        ),
      )
      .limit(limit)
      .execute();
  }

  /** Whether this call deleted it. */
  async remove(trx: Trx, id: string): Promise<boolean> {
    const result = await trx.deleteFrom('recordings').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
