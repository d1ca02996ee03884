import { type Connection, endpoints } from '@lifeline/contracts';
import { toIso, toIsoOrNull } from '../../lib/clock.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import type { Deps } from '../../lib/deps.js';
import { notFound } from '../../lib/errors.js';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { CasesRepository } from '../cases/cases.repository.js';
import { ConnectionsRepository } from './connections.repository.js';

type Row = Awaited<ReturnType<ConnectionsRepository['ofCase']>>[number];
type ReportCursor = [startedAt: number, id: string];
const isReportCursor = (v: unknown): v is ReportCursor =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';

/** Remote connections of one case (case detail) and of the organisation (SPEC §8 reports). */
export function connectionsRoutes(route: Route, deps: Deps, cases: CasesRepository) {
  const repo = new ConnectionsRepository(deps.database.db);
  const present = (row: Row): Connection => ({
    id: row.id,
    caseCode: row.code,
    type: row.type,
    agent: { id: row.agent_id, name: row.agent_name },
    startedAt: toIso(row.started_at),
    endedAt: toIsoOrNull(row.ended_at),
    durationSeconds: Math.round(((row.ended_at ?? deps.clock.now()) - row.started_at) / 1000),
  });

  route(endpoints.cases.connections, async (req) => {
    const p = principalOf(req);
    const found = await cases.findByCode(p.orgId, req.params.code);
    if (!found) throw notFound(`Service case ${req.params.code}`);
    return { items: (await repo.ofCase(p.orgId, found.id)).map(present) };
  });

  route(endpoints.reports.connections, async (req) => {
    const p = principalOf(req);
    const { limit, cursor, from, to } = req.query;
    const after = cursor ? decodeCursor(cursor, isReportCursor) : undefined;
    const rows = await repo.report(p.orgId, {
      ...(from ? { from: Date.parse(from) } : {}),
      ...(to ? { to: Date.parse(to) } : {}),
      ...(after ? { after: { startedAt: after[0], id: after[1] } } : {}),
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(present),
      nextCursor: rows.length > limit && last ? encodeCursor([last.started_at, last.id]) : null,
    };
  });
}
