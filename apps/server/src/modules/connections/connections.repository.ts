import { type SqlBool, sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { TimeKeyset } from '../../lib/cursor.js';

/** Remote connections, newest first, with the case code they belong to. */
export class ConnectionsRepository {
  constructor(private readonly db: Db) {}

  private base(orgId: string) {
    return this.db
      .selectFrom('connections')
      .innerJoin('cases', 'cases.id', 'connections.case_id')
      .select([
        'connections.id',
        'connections.agent_id',
        'connections.agent_name',
        'connections.type',
        'connections.started_at',
        'connections.ended_at',
        'cases.code',
      ])
      .where('connections.org_id', '=', orgId);
  }

  ofCase(orgId: string, caseId: string) {
    return this.base(orgId)
      .where('connections.case_id', '=', caseId)
      .orderBy('connections.started_at', 'desc')
      .orderBy('connections.id', 'desc')
      .execute();
  }

  report(orgId: string, f: { from?: number; to?: number; after?: TimeKeyset | undefined; limit: number }) {
    let query = this.base(orgId);
    if (f.from !== undefined) query = query.where('connections.started_at', '>=', f.from);
    if (f.to !== undefined) query = query.where('connections.started_at', '<', f.to);
    if (f.after) {
      const { at, id } = f.after;
      query = query.where(sql<SqlBool>`(connections.started_at, connections.id) < (${at}, ${id})`);
    }
    return query
      .orderBy('connections.started_at', 'desc')
      .orderBy('connections.id', 'desc')
      .limit(f.limit)
      .execute();
  }
}
