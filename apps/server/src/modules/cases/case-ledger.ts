import type { CaseStatus, EndReason, Presence } from '@lifeline/contracts';
import type { CaseRow, NewCaseEventRow } from '../../db/schema.js';
import type { Deps } from '../../lib/deps.js';
import { conflict } from '../../lib/errors.js';
import { TypedEvents } from '../../lib/events.js';
import { formatSessionCode } from '../../lib/random.js';
import { CaseLedgerRepository, type CasePatch, type Trx } from './case-ledger.repository.js';
import { effectiveStatus, isEnded } from './cases.presenter.js';

export type { CasePatch, Trx };

const CODE_ATTEMPTS = 20;

type CaseRef = Pick<CaseRow, 'id' | 'org_id' | 'code'>;

/** The live session's state after a join or leave, for the pages of that session. */
export interface SessionState {
  presence: Presence;
  status: CaseStatus;
}

/**
 * What the ledger announces after each commit. Subscribers (the live feed, the
 * queue cache, metrics) react to these; none of them writes a case.
 */
export interface CaseLedgerEvents {
  /** A case was created or changed, or its audit trail grew. `audit` lists the types appended. */
  'case.changed': { orgId: string; caseId: string; code: string; audit: string[]; session?: SessionState };
  /** Closed, expired or deleted: its live sessions end and its links stop working. */
  'case.ended': {
    orgId: string;
    caseId: string;
    code: string;
    reason: Extract<EndReason, 'closed' | 'expired' | 'deleted'>;
  };
}

/**
 * Told of a case's audit events inside the transaction that writes them (and
 * of deletions, which leave no audit trail), so that what follows from a
 * change — webhook deliveries — is stored with it or not at all.
 */
export interface InTransactionListener {
  onEvents(trx: Trx, events: NewCaseEventRow[]): Promise<void>;
  /**
   * Whether `onEvents` would store anything for this organisation. When it would
   * not, a create may share SQLite's group commit, which cannot wait for it.
   */
  interested(orgId: string): Promise<boolean>;
}
const nobody: InTransactionListener = { onEvents: async () => {}, interested: async () => false };

/** One change of one locked case, handed to the work of `CaseLedger.transact`. */
export interface CaseTransaction {
  /** The case, locked until the transaction ends; undefined if it was deleted. */
  readonly row: CaseRow | undefined;
  /** For the caller's own tables (its repository), so they commit with the case or not at all. */
  readonly trx: Trx;
  /** Columns to store at the end; a status change of an ended case is refused. */
  update(patch: CasePatch): void;
  /** Audit-trail entries to store at the end. */
  append(...events: NewCaseEventRow[]): void;
  /** Announce the live session's presence and status with the change. */
  session(state: SessionState): void;
}

/**
 * The only writer of service cases and their audit trail. Every change is a
 * command that writes the case row and its audit events in one transaction,
 * queues what follows from them there (webhook deliveries, through the
 * in-transaction listener), and announces typed events once committed.
 * See docs/ARCHITECTURE.md, "How a case is written".
 */
export class CaseLedger {
  readonly events: TypedEvents<CaseLedgerEvents>;
  private readonly repo: CaseLedgerRepository;

  constructor(
    private readonly deps: Deps,
    private readonly listener: InTransactionListener = nobody,
  ) {
    this.repo = new CaseLedgerRepository(deps.database);
    this.events = new TypedEvents(deps.logger);
  }

  /** Stores a new case under a fresh session code with its first audit events; undefined if no code was free. */
  async create(row: Omit<CaseRow, 'code'>, audit: NewCaseEventRow[]): Promise<string | undefined> {
    const draft = {
      row,
      events: audit,
      drawCode: () => formatSessionCode(this.deps.random.digits8()),
      attempts: CODE_ATTEMPTS,
    };
    const code =
      this.repo.groupCommits && !(await this.listener.interested(row.org_id))
        ? await this.repo.createGrouped(draft)
        : await this.repo.transaction(async (trx) => {
            const claimed = await this.repo.insertWithNewCode(trx, draft);
            if (claimed) await this.listener.onEvents(trx, audit);
            return claimed;
          });
    if (code) this.changed({ ...row, code }, audit);
    return code;
  }

  /**
   * Applies `patch` while the case is still open and not past its expiry (so
   * a concurrent close or sweep is never overwritten); false if it was not.
   */
  async updateIfOpen(ref: CaseRef, patch: CasePatch, audit: NewCaseEventRow[]): Promise<boolean> {
    const now = this.deps.clock.now();
    const applied = await this.repo.transaction(async (trx) => {
      if (!(await this.repo.patchIfOpen(trx, ref.id, now, patch))) return false;
      await this.appendIn(trx, audit);
      return true;
    });
    if (!applied) return false;
    if (patch.status === 'closed') this.ended(ref, 'closed');
    else this.changed(ref, audit);
    return true;
  }

  /** Deletes the cases with their audit trails; `audit` (`case.deleted`) reaches only the listener. */
  async remove(refs: CaseRef[], audit: NewCaseEventRow[]): Promise<number> {
    if (refs.length === 0) return 0;
    const deleted = await this.repo.transaction(async (trx) => {
      // While the cases can still be read: webhooks carry the case as it was.
      await this.listener.onEvents(trx, audit);
      return this.repo.deleteCases(
        trx,
        refs.map((r) => r.id),
      );
    });
    for (const ref of refs) this.ended(ref, 'deleted');
    return deleted;
  }

  /** Stores `expired` for up to `batchSize` due cases, with one audit event each; returns them. */
  async expireDue(batchSize: number) {
    const now = this.deps.clock.now();
    const expired = await this.repo.transaction(async (trx) => {
      const due = await this.repo.expireDue(trx, now, batchSize);
      await this.appendIn(
        trx,
        due.map(
          (d): NewCaseEventRow => ({
            case_id: d.id,
            org_id: d.org_id,
            type: 'case.expired',
            actor_type: 'system',
            actor_id: null,
            actor_name: null,
            data: JSON.stringify({ from: d.status, expiresAt: new Date(d.expires_at).toISOString() }),
            created_at: now,
          }),
        ),
      );
      return due;
    });
    for (const d of expired) this.ended(d, 'expired');
    return expired;
  }

  /**
   * Runs `work` on the locked case, in one transaction with the caller's own
   * writes (live connections, outbox messages), then stores what it updated
   * and appended, and announces it after the commit.
   */
  async transact<T>(caseId: string, work: (tx: CaseTransaction) => Promise<T>): Promise<T> {
    let announce: (() => void) | undefined;
    const result = await this.repo.transaction(async (trx) => {
      const row = await this.repo.lock(trx, caseId);
      const patch: CasePatch = {};
      const audit: NewCaseEventRow[] = [];
      let session: SessionState | undefined;
      const tx: CaseTransaction = {
        row,
        trx,
        update: (p) => {
          if (!row) throw new Error(`case ${caseId} is gone`);
          if (p.status !== undefined && p.status !== row.status) {
            const status = effectiveStatus(row, this.deps.clock.now());
            if (isEnded(status))
              throw conflict('case_ended', `Service case ${row.code} is ${status} and can no longer change.`);
          }
          Object.assign(patch, p);
        },
        append: (...events) => {
          if (!row) throw new Error(`case ${caseId} is gone`);
          audit.push(...events);
        },
        session: (state) => {
          session = state;
        },
      };
      const out = await work(tx);
      if (!row) return out;
      await this.repo.patch(trx, row.id, patch);
      await this.appendIn(trx, audit);
      if (Object.keys(patch).length || audit.length || session)
        announce = () => this.changed(row, audit, session);
      return out;
    });
    announce?.();
    return result;
  }

  private async appendIn(trx: Trx, audit: NewCaseEventRow[]) {
    if (audit.length === 0) return;
    await this.repo.insertEvents(trx, audit);
    await this.listener.onEvents(trx, audit);
  }

  private changed(ref: CaseRef, audit: NewCaseEventRow[], session?: SessionState) {
    this.events.emit('case.changed', {
      orgId: ref.org_id,
      caseId: ref.id,
      code: ref.code,
      audit: audit.map((e) => e.type),
      ...(session ? { session } : {}),
    });
  }

  private ended(ref: CaseRef, reason: 'closed' | 'expired' | 'deleted') {
    this.events.emit('case.ended', { orgId: ref.org_id, caseId: ref.id, code: ref.code, reason });
  }
}
