import type { Db } from '../../db/database.js';
import type { Database, LiveSocketRow } from '../../db/schema.js';
import type { Trx } from '../cases/case-ledger.js';

/**
 * All SQL of live presence: open sockets per case and the remote connections
 * they make. Writes run in the case ledger's transaction of the case they belong to.
 */
export class LiveRepository {
  constructor(private readonly db: Db) {}

  socketsOf(trx: Trx, caseId: string): Promise<LiveSocketRow[]> {
    return trx.selectFrom('live_sockets').selectAll().where('case_id', '=', caseId).execute();
  }

  async insertSocket(trx: Trx, row: LiveSocketRow) {
    await trx.insertInto('live_sockets').values(row).execute();
  }

  async deleteSockets(trx: Trx, ids: string[]) {
    if (ids.length) await trx.deleteFrom('live_sockets').where('id', 'in', ids).execute();
  }

  async setSocket(trx: Trx, id: string, patch: Partial<Pick<LiveSocketRow, 'consent' | 'sharing'>>) {
    await trx.updateTable('live_sockets').set(patch).where('id', '=', id).execute();
  }

  /** The socket is now held by this server process. */
  async moveSocket(trx: Trx, id: string, nodeId: string) {
    await trx.updateTable('live_sockets').set({ node_id: nodeId }).where('id', '=', id).execute();
  }

  openConnection(trx: Trx, caseId: string) {
    return trx
      .selectFrom('connections')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
  }

  async startConnection(trx: Trx, row: Database['connections']) {
    await trx.insertInto('connections').values(row).execute();
  }

  async endConnection(trx: Trx, id: string, now: number) {
    await trx.updateTable('connections').set({ ended_at: now }).where('id', '=', id).execute();
  }

  /** The server processes that hold at least one socket, as recorded. */
  async nodesWithSockets(): Promise<string[]> {
    const rows = await this.db.selectFrom('live_sockets').select('node_id').distinct().execute();
    return rows.map((r) => r.node_id);
  }

  /** The ids of the sockets recorded for one server process. */
  async socketIdsOfNode(nodeId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('live_sockets')
      .select('id')
      .where('node_id', '=', nodeId)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Case ids with sockets of these server processes, which are gone (a restart). */
  async casesOfNodes(nodeIds: string[] | 'all'): Promise<string[]> {
    let query = this.db.selectFrom('live_sockets').select('case_id').distinct();
    if (nodeIds !== 'all') query = query.where('node_id', 'in', nodeIds);
    return (await query.execute()).map((r) => r.case_id);
  }

  async socketIdsOfNodes(caseId: string, nodeIds: string[] | 'all') {
    let query = this.db.selectFrom('live_sockets').select('id').where('case_id', '=', caseId);
    if (nodeIds !== 'all') query = query.where('node_id', 'in', nodeIds);
    return (await query.execute()).map((r) => r.id);
  }
}
