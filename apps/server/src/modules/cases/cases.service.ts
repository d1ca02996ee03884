import type {
  Actor,
  BulkDeleteResponse,
  Case,
  CaseEvent,
  CaseSource,
  createCaseRequest,
  listCasesQuery,
  updateCaseRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import type { CaseRow, ModuleRow, NewCaseEventRow } from '../../db/schema.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import type { Deps } from '../../lib/deps.js';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../lib/errors.js';
import { formatSessionCode } from '../../lib/random.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { PeopleRepository } from '../people/people.repository.js';
import type { CaseFeed } from '../realtime/case-feed.js';
import { caseEvent } from './case-events.js';
import { effectiveStatus, isEnded, presentCase, presentEvent } from './cases.presenter.js';
import { type CaseEventListener, CasesRepository } from './cases.repository.js';
import { ListCache } from './list-cache.js';

type CreateInput = z.output<typeof createCaseRequest>;
type UpdateInput = z.output<typeof updateCaseRequest>;
type ListQuery = z.output<typeof listCasesQuery>;
type CasePage = { items: Case[]; nextCursor: string | null };

const CODE_ATTEMPTS = 20;
const CUSTOMER_TOKEN_BYTES = 24; // 192 bits

type ListCursor = [createdAt: number, id: string];
const isListCursor = (v: unknown): v is ListCursor =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';
const isEventCursor = (v: unknown): v is number => Number.isSafeInteger(v);

const createdBy = (p: Principal, row: CaseRow) =>
  row.created_by_type === 'user' && row.created_by_id === p.userId;

/** SPEC §3: the assignee, the agent who created the case, or an admin may close it. */
const mayClose = (p: Principal, row: CaseRow) =>
  p.role === 'admin' || row.assignee_id === p.userId || createdBy(p, row);

/**
 * Deleting erases the case and its audit trail, so it follows who the case belongs to from its
 * creation, which nobody can change: any agent may assign a case to themselves, and the assignee
 * deciding would let them delete whatever they were refused.
 */
const mayDelete = (p: Principal, row: CaseRow) => p.role === 'admin' || createdBy(p, row);

export class CasesService {
  readonly repo: CasesRepository;

  /** Absent in cluster mode, where other processes write too. */
  private readonly listCache: ListCache<CasePage> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly people: PeopleRepository,
    private readonly feed: CaseFeed,
    listener?: CaseEventListener,
  ) {
    this.repo = new CasesRepository(deps.database, listener);
    this.listCache = deps.config.redisUrl ? undefined : new ListCache<CasePage>();
  }

  /**
   * Every write to an organisation's cases is announced here once it is done
   * (or failed), so a cached queue page never outlives a change.
   */
  written(orgId: string) {
    this.listCache?.invalidate(orgId);
  }

  private async writing<T>(orgId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.written(orgId);
    }
  }

  private present = (row: CaseRow): Case =>
    presentCase(row, this.deps.clock.now(), this.deps.config.publicUrl);

  private event(
    row: Pick<CaseRow, 'id' | 'org_id'>,
    type: CaseEvent['type'] | 'case.deleted',
    actor: Actor,
    data: object,
  ) {
    return caseEvent(row, type, actor, data, this.deps.clock.now());
  }

  private async assertGroup(orgId: string, groupId: string) {
    if (!(await this.people.findGroup(orgId, groupId)))
      throw invalidField('groupId', 'is not a group of your organisation');
  }

  private async assertAssignee(orgId: string, userId: string) {
    const user = await this.people.findUser(orgId, userId);
    if (user?.active !== 1) throw invalidField('assigneeId', 'is not an active user of your organisation');
  }

  async create(p: Principal, input: CreateInput, source: CaseSource): Promise<Case> {
    // The default group needs no check: it is always one of the user's own organisation.
    if (input.groupId !== undefined) await this.assertGroup(p.orgId, input.groupId);
    if (input.assigneeId) await this.assertAssignee(p.orgId, input.assigneeId);
    const row = await this.insert(p.orgId, actorOf(p), source, {
      ...input,
      groupId: input.groupId ?? p.defaultGroupId,
      moduleId: null,
    });
    return this.present(row);
  }

  /**
   * A customer asking for help on a QuickSupport module's page: the case goes
   * to the module's group, unassigned, and is recorded as the customer's own.
   */
  async createForCustomer(
    module: Pick<ModuleRow, 'id' | 'org_id' | 'group_id' | 'case_type' | 'waiting_message'>,
    input: { name: string; description?: string; customer: { name?: string; email?: string } },
    source: Extract<CaseSource, 'module' | 'sos'>,
  ): Promise<CaseRow> {
    const actor: Actor = { type: 'customer', id: null, name: input.customer.name ?? null };
    return this.insert(module.org_id, actor, source, {
      name: input.name,
      type: module.case_type,
      description: input.description,
      groupId: module.group_id,
      customer: input.customer,
      waitingMessage: module.waiting_message ?? undefined,
      moduleId: module.id,
    });
  }

  private async insert(
    orgId: string,
    actor: Actor,
    source: CaseSource,
    input: Omit<CreateInput, 'groupId'> & { groupId: string; moduleId: string | null },
  ): Promise<CaseRow> {
    const now = this.deps.clock.now();
    const groupId = input.groupId;
    const row: Omit<CaseRow, 'code'> = {
      id: this.deps.newId(),
      org_id: orgId,
      name: input.name,
      description: input.description ?? null,
      type: input.type,
      status: 'new',
      source,
      group_id: groupId,
      assignee_id: input.assigneeId ?? null,
      created_by_type: actor.type,
      created_by_id: actor.id,
      created_by_name: actor.name,
      customer_name: input.customer?.name ?? null,
      customer_email: input.customer?.email ?? null,
      customer_phone: input.customer?.phone ?? null,
      external_system: input.external?.system ?? null,
      external_type: input.external?.type ?? null,
      external_id: input.external?.id ?? null,
      external_url: input.external?.url ?? null,
      waiting_message: input.waitingMessage ?? null,
      customer_token: this.deps.random.token(CUSTOMER_TOKEN_BYTES),
      agent_online: 0,
      customer_online: 0,
      created_at: now,
      updated_at: now,
      expires_at: now + this.deps.config.caseTtlMs,
      closed_at: null,
      closed_by_type: null,
      closed_by_id: null,
      closed_by_name: null,
      module_id: input.moduleId,
    };
    const events = [
      this.event(row, 'case.created', actor, { name: row.name, type: row.type, source, groupId }),
    ];
    if (row.assignee_id)
      events.push(this.event(row, 'case.assigned', actor, { from: null, to: row.assignee_id }));
    const code = await this.writing(orgId, () =>
      this.repo.insertWithNewCode(
        row,
        events,
        () => formatSessionCode(this.deps.random.digits8()),
        CODE_ATTEMPTS,
      ),
    );
    if (!code) {
      throw new AppError(
        503,
        'code_space_exhausted',
        'Service unavailable',
        'No free session code was found; retry.',
      );
    }
    this.feed.changed(orgId, code);
    return { ...row, code };
  }

  async list(p: Principal, query: ListQuery): Promise<CasePage> {
    const now = this.deps.clock.now();
    // `me` means someone else for every caller, so the key holds the resolved id.
    const key = JSON.stringify({
      ...query,
      assigneeId: query.assigneeId === 'me' ? p.userId : query.assigneeId,
    });
    const cached = this.listCache?.get(p.orgId, key, now);
    if (cached) return cached;
    const version = this.listCache?.version(p.orgId) ?? 0;

    const after = query.cursor ? decodeCursor(query.cursor, isListCursor) : undefined;
    const q = query.q;
    const digits = q?.replace(/[\s-]/g, '').replace(/^s/i, '');
    const rows = await this.repo.list({
      orgId: p.orgId,
      now,
      statuses: query.status,
      groupId: query.groupId,
      assigneeId: query.assigneeId === 'me' ? p.userId : query.assigneeId,
      source: query.source,
      externalSystem: query.externalSystem,
      externalId: query.externalId,
      q: q ? { text: q, codeDigits: digits && /^\d{1,8}$/.test(digits) ? digits : undefined } : undefined,
      after: after ? { createdAt: after[0], id: after[1] } : undefined,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const page = {
      items: items.map((row) => presentCase(row, now, this.deps.config.publicUrl)),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor([last.created_at, last.id] satisfies ListCursor)
          : null,
    };
    if (this.listCache) {
      const validUntil = (await this.repo.nextExpiry(p.orgId, now)) ?? Number.POSITIVE_INFINITY;
      this.listCache.set(p.orgId, key, version, validUntil, page);
    }
    return page;
  }

  private async find(p: Principal, code: string): Promise<CaseRow> {
    const row = await this.repo.findByCode(p.orgId, code);
    if (!row) throw notFound(`Service case ${code}`);
    return row;
  }

  async get(p: Principal, code: string) {
    return this.present(await this.find(p, code));
  }

  private assertMayClose(p: Principal, row: CaseRow) {
    if (!mayClose(p, row)) {
      throw forbidden(
        'not_allowed',
        `Only the assignee, the agent who created it, or an admin may close ${row.code}.`,
      );
    }
  }

  private assertMayDelete(p: Principal, row: CaseRow) {
    if (!mayDelete(p, row)) {
      throw forbidden('not_allowed', `Only the agent who created ${row.code} or an admin may delete it.`);
    }
  }

  private assertOpen(row: CaseRow) {
    const status = effectiveStatus(row, this.deps.clock.now());
    if (isEnded(status))
      throw conflict('case_ended', `Service case ${row.code} is ${status} and can no longer change.`);
  }

  async update(p: Principal, code: string, input: UpdateInput) {
    const row = await this.find(p, code);
    this.assertOpen(row);
    if (input.groupId !== undefined) await this.assertGroup(p.orgId, input.groupId);
    if (input.assigneeId) await this.assertAssignee(p.orgId, input.assigneeId);

    const patch: Partial<CaseRow> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set = <K extends keyof CaseRow>(column: K, field: string, value: CaseRow[K] | undefined) => {
      if (value === undefined || row[column] === value) return;
      patch[column] = value;
      changes[field] = { from: row[column], to: value };
    };
    set('name', 'name', input.name);
    set('description', 'description', input.description);
    set('group_id', 'groupId', input.groupId);
    set('waiting_message', 'waitingMessage', input.waitingMessage);
    set('customer_name', 'customer.name', input.customer?.name);
    set('customer_email', 'customer.email', input.customer?.email);
    set('customer_phone', 'customer.phone', input.customer?.phone);
    const reassigned = input.assigneeId !== undefined && input.assigneeId !== row.assignee_id;
    if (Object.keys(changes).length === 0 && !reassigned) return this.present(row);

    const actor = actorOf(p);
    const events: NewCaseEventRow[] = [];
    if (Object.keys(changes).length) events.push(this.event(row, 'case.updated', actor, { changes }));
    if (reassigned) {
      patch.assignee_id = input.assigneeId;
      events.push(this.event(row, 'case.assigned', actor, { from: row.assignee_id, to: input.assigneeId }));
    }
    const now = this.deps.clock.now();
    const updated = await this.writing(p.orgId, () =>
      this.repo.updateIfOpen(row.id, now, { ...patch, updated_at: now }, events),
    );
    if (!updated) {
      // Closed or expired since it was read: answer 409 (or 404 if deleted), never a silent no-op.
      this.assertOpen(await this.find(p, code));
    }
    this.feed.changed(p.orgId, code);
    return this.get(p, code);
  }

  async close(p: Principal, code: string): Promise<Case> {
    const row = await this.find(p, code);
    this.assertMayClose(p, row);
    const status = effectiveStatus(row, this.deps.clock.now());
    if (status === 'closed') return this.present(row);
    if (status === 'expired')
      throw conflict('case_expired', `Service case ${code} has expired; it cannot be closed.`);
    const now = this.deps.clock.now();
    const actor = actorOf(p);
    const closed = await this.writing(p.orgId, () =>
      this.repo.updateIfOpen(
        row.id,
        now,
        {
          status: 'closed',
          closed_at: now,
          closed_by_type: actor.type,
          closed_by_id: actor.id,
          closed_by_name: actor.name,
          updated_at: now,
        },
        [this.event(row, 'case.closed', actor, { from: status })],
      ),
    );
    if (!closed) {
      // Lost a race with another close (idempotent) or with the expiry sweep (409): answer as of now.
      return this.close(p, code);
    }
    this.feed.ended(p.orgId, code, row.id, 'closed');
    return this.get(p, code);
  }

  async delete(p: Principal, code: string) {
    const row = await this.find(p, code);
    this.assertMayDelete(p, row);
    await this.writing(p.orgId, () =>
      this.repo.deleteByIds([row.id], [this.event(row, 'case.deleted', actorOf(p), { code: row.code })]),
    );
    this.feed.deleted(p.orgId, row.code, row.id);
  }

  /** All or nothing: if any found case may not be deleted by the caller, none is. */
  async bulkDelete(p: Principal, codes: string[]): Promise<BulkDeleteResponse> {
    const unique = [...new Set(codes)];
    const rows = await this.repo.findByCodes(p.orgId, unique);
    const found = new Set(rows.map((r) => r.code));
    const refused = rows.filter((r) => !mayDelete(p, r));
    if (refused.length) {
      throw forbidden(
        'not_allowed',
        `You may not delete ${refused.map((r) => r.code).join(', ')}: only the agent who created a case or an admin may. Nothing was deleted.`,
      );
    }
    const actor = actorOf(p);
    const deleted = await this.writing(p.orgId, () =>
      this.repo.deleteByIds(
        rows.map((r) => r.id),
        rows.map((r) => this.event(r, 'case.deleted', actor, { code: r.code })),
      ),
    );
    for (const r of rows) this.feed.deleted(p.orgId, r.code, r.id);
    return { deleted, notFound: unique.filter((c) => !found.has(c)) };
  }

  async events(p: Principal, code: string, query: { limit: number; cursor?: string | undefined }) {
    const row = await this.find(p, code);
    const after = query.cursor ? decodeCursor(query.cursor, isEventCursor) : undefined;
    const rows = await this.repo.listEvents(row.id, after, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map(presentEvent),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
    };
  }
}
