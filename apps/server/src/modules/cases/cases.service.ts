import type {
  Actor,
  BulkDeleteResponse,
  Case,
  CaseDetail,
  CaseEvent,
  CaseOutcome,
  CaseSource,
  CaseStatus,
  createCaseRequest,
  listCasesQuery,
  Recording,
  updateCaseRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import type { CaseRow, ModuleRow, NewCaseEventRow } from '../../db/schema.js';
import { decodeCursor, decodeTimeKeyset, pageOf } from '../../lib/cursor.js';
import type { Deps } from '../../lib/deps.js';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../lib/errors.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { PeopleService } from '../people/people.service.js';
import { caseEvent } from './case-events.js';
import type { CaseLedger } from './case-ledger.js';
import {
  effectiveStatus,
  isEnded,
  presentCase,
  presentEvent,
  presentTransfer,
  TRANSFER_EVENTS,
} from './cases.presenter.js';
import { CasesRepository } from './cases.repository.js';
import { ListCache } from './list-cache.js';

type CreateInput = z.output<typeof createCaseRequest>;
type UpdateInput = z.output<typeof updateCaseRequest>;
type ListQuery = z.output<typeof listCasesQuery>;
type CasePage = { items: Case[]; nextCursor: string | null };

const CUSTOMER_TOKEN_BYTES = 24; // 192 bits

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

/**
 * Service cases as agents and integrators see them: the rules of who may do
 * what, and every read of a case for the other modules. Writes go through the
 * case ledger.
 */
export class CasesService {
  private readonly repo: CasesRepository;

  /** Absent in cluster mode, where other processes write too. */
  private readonly listCache: ListCache<CasePage> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly people: PeopleService,
    private readonly ledger: CaseLedger,
    /** The session's recordings, for the outcome (the recordings module, which reads cases through this service). */
    private readonly recordingsOf: (row: Pick<CaseRow, 'id' | 'code'>) => Promise<Recording[]>,
  ) {
    this.repo = new CasesRepository(deps.database.db);
    const cache = deps.config.redisUrl ? undefined : new ListCache<CasePage>();
    this.listCache = cache;
    // A cached queue page must never outlive a change made in this process.
    if (cache) {
      ledger.events.on('case.changed', (e) => cache.invalidate(e.orgId));
      ledger.events.on('case.ended', (e) => cache.invalidate(e.orgId));
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
    if (!(await this.people.hasGroup(orgId, groupId)))
      throw invalidField('groupId', 'is not a group of your organisation');
  }

  private async assertAssignee(orgId: string, userId: string) {
    if (!(await this.people.isActiveUser(orgId, userId)))
      throw invalidField('assigneeId', 'is not an active user of your organisation');
  }

  /** `customApi`: free text an integration keeps with the case (the TeamViewer-compatible API's `custom_api`). */
  async create(
    p: Principal,
    input: CreateInput,
    source: CaseSource,
    extra: { customApi?: string } = {},
  ): Promise<Case> {
    // The default group needs no check: it is always one of the user's own organisation.
    if (input.groupId !== undefined) await this.assertGroup(p.orgId, input.groupId);
    if (input.assigneeId) await this.assertAssignee(p.orgId, input.assigneeId);
    const row = await this.insert(p.orgId, actorOf(p), source, {
      ...input,
      groupId: input.groupId ?? p.defaultGroupId,
      moduleId: null,
      ...extra,
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
    input: Omit<CreateInput, 'groupId'> & { groupId: string; moduleId: string | null; customApi?: string },
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
      assigned_at: input.assigneeId ? now : null,
      custom_api: input.customApi ?? null,
      closing_note: null,
    };
    const events = [
      this.event(row, 'case.created', actor, { name: row.name, type: row.type, source, groupId }),
    ];
    if (row.assignee_id)
      events.push(this.event(row, 'case.assigned', actor, { from: null, to: row.assignee_id }));
    const code = await this.ledger.create(row, events);
    if (!code) {
      throw new AppError(
        503,
        'code_space_exhausted',
        'Service unavailable',
        'No free session code was found; retry.',
      );
    }
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

    const after = decodeTimeKeyset(query.cursor);
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
      after,
      limit: query.limit + 1,
    });
    const page = pageOf(
      rows,
      query.limit,
      (row) => presentCase(row, now, this.deps.config.publicUrl),
      (row) => ({ at: row.created_at, id: row.id }),
    );
    if (this.listCache) {
      const validUntil = (await this.repo.nextExpiry(p.orgId, now)) ?? Number.POSITIVE_INFINITY;
      this.listCache.set(p.orgId, key, version, validUntil, page);
    }
    return page;
  }

  private async find(p: Principal, code: string): Promise<CaseRow> {
    return this.findRow(p.orgId, code);
  }

  /** The stored case of an organisation by code, for the other modules; 404 if there is none. */
  async findRow(orgId: string, code: string): Promise<CaseRow> {
    const row = await this.lookup(orgId, code);
    if (!row) throw notFound(`Service case ${code}`);
    return row;
  }

  /**
   * Cases of the organisation in queue order (newest first) from a given case
   * on, and how many match in all from there: the paging of the
   * TeamViewer-compatible API, which continues at a session code.
   */
  async page(
    p: Principal,
    filter: { statuses?: CaseStatus[]; groupId?: string; assigneeId?: string },
    fromCode: string | undefined,
    limit: number,
  ): Promise<{ rows: CaseRow[]; total: number }> {
    const now = this.deps.clock.now();
    const from = fromCode ? await this.findRow(p.orgId, fromCode) : undefined;
    const f = {
      orgId: p.orgId,
      now,
      ...filter,
      ...(from ? { after: { at: from.created_at, id: from.id, inclusive: true } } : {}),
    };
    const [rows, total] = await Promise.all([this.repo.list({ ...f, limit }), this.repo.count(f)]);
    return { rows, total };
  }

  /** By id, for background work that holds only the id (undefined once deleted). */
  byId(caseId: string): Promise<CaseRow | undefined> {
    return this.repo.findById(caseId);
  }

  lookup(orgId: string, code: string): Promise<CaseRow | undefined> {
    return this.repo.findByCode(orgId, code);
  }

  /** For customers, who have no organisation: by link token or by code, with the organisation's name. */
  findForCustomer(by: { token: string } | { code: string }) {
    return this.repo.findForCustomer(by);
  }

  /** Whether this link token or code was ever issued (its case may since have been deleted). */
  wasIssued(by: { token: string } | { code: string }) {
    return this.repo.wasIssued(by);
  }

  async get(p: Principal, code: string): Promise<CaseDetail> {
    return this.detail(await this.find(p, code));
  }

  /** The case with its outcome once it has ended: what a CRM files on its record. */
  private async detail(row: CaseRow): Promise<CaseDetail> {
    const presented = this.present(row);
    if (!isEnded(presented.status)) return { ...presented, outcome: null };
    return { ...presented, outcome: await this.outcomeOf(row) };
  }

  /** The closing note, the chat transcript, the file and clipboard transfers and the recordings of the session. */
  private async outcomeOf(row: CaseRow): Promise<CaseOutcome> {
    const [messages, transfers, recordings] = await Promise.all([
      this.repo.eventsOfType(row.id, ['chat.message']),
      this.repo.eventsOfType(row.id, [...TRANSFER_EVENTS]),
      this.recordingsOf(row),
    ]);
    return {
      note: row.closing_note,
      transcript: messages.map((e) => {
        const data = JSON.parse(e.data) as { role?: string; text?: string };
        return {
          from: data.role === 'agent' ? 'agent' : 'customer',
          name: e.actor_name ?? null,
          text: data.text ?? '',
          at: new Date(e.created_at).toISOString(),
        };
      }),
      transfers: transfers.map(presentTransfer),
      recordings,
    };
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

  async update(p: Principal, code: string, input: UpdateInput, extra: { customApi?: string } = {}) {
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
    set('custom_api', 'customApi', extra.customApi);
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
      patch.assigned_at = input.assigneeId ? this.deps.clock.now() : null;
      events.push(this.event(row, 'case.assigned', actor, { from: row.assignee_id, to: input.assigneeId }));
    }
    const now = this.deps.clock.now();
    const updated = await this.ledger.updateIfOpen(row, { ...patch, updated_at: now }, events);
    if (!updated) {
      // Closed or expired since it was read: answer 409 (or 404 if deleted), never a silent no-op.
      this.assertOpen(await this.find(p, code));
    }
    return this.get(p, code);
  }

  /** `note`: the agent's closing note, kept with the transcript as the case's outcome. */
  async close(p: Principal, code: string, note?: string): Promise<CaseDetail> {
    const row = await this.find(p, code);
    this.assertMayClose(p, row);
    const status = effectiveStatus(row, this.deps.clock.now());
    if (status === 'closed') return this.detail(row);
    if (status === 'expired')
      throw conflict('case_expired', `Service case ${code} has expired; it cannot be closed.`);
    const now = this.deps.clock.now();
    const actor = actorOf(p);
    const outcome = await this.outcomeOf({ ...row, closing_note: note ?? null });
    const closed = await this.ledger.updateIfOpen(
      row,
      {
        status: 'closed',
        closed_at: now,
        closed_by_type: actor.type,
        closed_by_id: actor.id,
        closed_by_name: actor.name,
        closing_note: outcome.note,
        updated_at: now,
      },
      // The outcome travels with the event, so the `case.closed` webhook carries it.
      [this.event(row, 'case.closed', actor, { from: status, outcome })],
    );
    if (!closed) {
      // Lost a race with another close (idempotent) or with the expiry sweep (409): answer as of now.
      return this.close(p, code, note);
    }
    return this.get(p, code);
  }

  async delete(p: Principal, code: string) {
    const row = await this.find(p, code);
    this.assertMayDelete(p, row);
    await this.ledger.remove([row], [this.event(row, 'case.deleted', actorOf(p), { code: row.code })]);
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
    const deleted = await this.ledger.remove(
      rows,
      rows.map((r) => this.event(r, 'case.deleted', actor, { code: r.code })),
    );
    return { deleted, notFound: unique.filter((c) => !found.has(c)) };
  }

  async events(p: Principal, code: string, query: { limit: number; cursor?: string | undefined }) {
    const row = await this.find(p, code);
    const after = query.cursor ? decodeCursor(query.cursor, isEventCursor) : undefined;
    const rows = await this.repo.listEvents(row.id, after, query.limit + 1);
    return pageOf(rows, query.limit, presentEvent, (event) => event.id);
  }
}
