import type { Connection, connectionsReportQuery } from '@lifeline/contracts';
import type { z } from 'zod';
import { toIso, toIsoOrNull } from '../../lib/clock.js';
import { decodeTimeKeyset, pageOf } from '../../lib/cursor.js';
import type { Deps } from '../../lib/deps.js';
import type { Principal } from '../auth/principal.js';
import type { CasesService } from '../cases/cases.service.js';
import { ConnectionsRepository } from './connections.repository.js';

type Row = Awaited<ReturnType<ConnectionsRepository['ofCase']>>[number];

/** Remote connections (an agent and a customer in one session) of a case, and the organisation's report (SPEC §8). */
export class ConnectionsService {
  private readonly repo: ConnectionsRepository;

  constructor(
    private readonly deps: Deps,
    private readonly cases: CasesService,
  ) {
    this.repo = new ConnectionsRepository(deps.database.db);
  }

  private present = (row: Row): Connection => ({
    id: row.id,
    caseCode: row.code,
    type: row.type,
    agent: { id: row.agent_id, name: row.agent_name },
    startedAt: toIso(row.started_at),
    endedAt: toIsoOrNull(row.ended_at),
    durationSeconds: Math.round(((row.ended_at ?? this.deps.clock.now()) - row.started_at) / 1000),
  });

  async ofCase(p: Principal, code: string) {
    const row = await this.cases.findRow(p.orgId, code);
    return { items: (await this.repo.ofCase(p.orgId, row.id)).map(this.present) };
  }

  async report(p: Principal, query: z.output<typeof connectionsReportQuery>) {
    const { limit, cursor, from, to } = query;
    const rows = await this.repo.report(p.orgId, {
      ...(from ? { from: Date.parse(from) } : {}),
      ...(to ? { to: Date.parse(to) } : {}),
      after: decodeTimeKeyset(cursor),
      limit: limit + 1,
    });
    return pageOf(rows, limit, this.present, (r) => ({ at: r.started_at, id: r.id }));
  }
}
