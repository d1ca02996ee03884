import type { InvitationTransport } from '@lifeline/contracts';
import type { Transaction } from 'kysely';
import type { Database, OutboxRow } from '../../db/schema.js';
import { type AttemptResult, retryAt } from '../../lib/delivery.js';
import type { Deps } from '../../lib/deps.js';
import { Poller } from '../../lib/poller.js';
import type { CaseLedger } from '../cases/case-ledger.js';
import { effectiveStatus, isEnded } from '../cases/cases.presenter.js';
import type { CasesService } from '../cases/cases.service.js';
import type { InvitationsRepository } from './invitations.repository.js';
import { invitationEvent, presentInvitation } from './invitations.service.js';
import type { Mailer } from './mail.js';
import type { SmsSender } from './sms.js';

const BATCH = 20;
const SYSTEM = { type: 'system', id: null, name: null } as const;

/** Called in the transaction that records a final outcome (webhooks hook in here). */
export type InvitationOutcomeListener = (
  trx: Transaction<Database>,
  outcome: { type: 'invitation.sent' | 'invitation.failed'; row: OutboxRow },
) => Promise<void>;

/**
 * Delivers queued invitations through the configured providers. Transient
 * failures are retried with exponential backoff up to the configured number
 * of attempts; a permanent refusal fails the message at once with the
 * provider's reason. Messages of the `local` transport are never claimed:
 * they stay in the outbox for admins to read.
 */
export class OutboxWorker {
  private readonly poller: Poller;
  private readonly transports: InvitationTransport[];

  constructor(
    private readonly deps: Deps,
    private readonly repo: InvitationsRepository,
    private readonly cases: CasesService,
    private readonly ledger: CaseLedger,
    private readonly mailer: Mailer | undefined,
    private readonly sms: SmsSender | undefined,
    private readonly onOutcome?: InvitationOutcomeListener,
  ) {
    this.transports = [...(mailer ? (['smtp'] as const) : []), ...(sms ? [sms.name] : [])];
    this.poller = new Poller('outbox delivery', deps.config.delivery.intervalMs, deps.logger, () =>
      this.runOnce(),
    );
  }

  /** Makes one attempt at every message due now; returns how many attempts it made. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const owner = this.deps.newId();
      const claimed = await this.repo.claimDue(
        this.deps.clock.now(),
        this.transports,
        owner,
        this.deps.config.delivery.leaseMs,
        BATCH,
      );
      await Promise.all(claimed.map((row) => this.deliver(row, owner)));
      total += claimed.length;
      if (claimed.length < BATCH) return total;
    }
  }

  private async attempt(row: OutboxRow): Promise<AttemptResult> {
    // A link to an ended session only leads to the "this session has ended" page: better not sent at all.
    const state = await this.cases.byId(row.case_id);
    if (!state || isEnded(effectiveStatus(state, this.deps.clock.now()))) {
      return {
        ok: false,
        permanent: true,
        reason: 'The support session ended before the invitation was sent.',
      };
    }
    if (row.transport === 'smtp' && this.mailer && this.deps.config.mail) {
      return this.mailer.send({
        from: this.deps.config.mail.from,
        to: row.recipient,
        subject: row.subject ?? '',
        text: row.text_body,
        html: row.html_body ?? '',
      });
    }
    if (this.sms && row.transport === this.sms.name) return this.sms.send(row.recipient, row.text_body);
    // Unreachable: only transports this worker has are claimed.
    return { ok: false, permanent: true, reason: `no ${row.transport} transport is configured` };
  }

  private async deliver(row: OutboxRow, owner: string) {
    const result = await this.attempt(row).catch(
      (err: unknown): AttemptResult => ({ ok: false, permanent: false, reason: String(err) }),
    );
    const now = this.deps.clock.now();
    const again = retryAt(result, row.attempts, this.deps.config.delivery, now);
    if (again !== undefined && !result.ok) {
      await this.repo.finish(this.deps.database.db, row.id, owner, {
        error: result.reason,
        next_attempt_at: again,
      });
      return;
    }
    const final: OutboxRow = result.ok
      ? { ...row, status: 'sent', sent_at: now, error: null, provider_id: result.providerId ?? null }
      : { ...row, status: 'failed', error: result.reason };
    const type = result.ok ? 'invitation.sent' : 'invitation.failed';
    const event = invitationEvent(
      final,
      type,
      SYSTEM,
      now,
      result.ok
        ? { attempts: row.attempts, transport: row.transport }
        : { attempts: row.attempts, transport: row.transport, error: result.reason },
    );
    const applied = await this.ledger.transact(row.case_id, async (tx) => {
      const patch = {
        status: final.status,
        sent_at: final.sent_at,
        error: final.error,
        provider_id: final.provider_id,
      };
      if (!(await this.repo.finish(tx.trx, row.id, owner, patch))) return false;
      // A deleted case has no audit trail left to write to.
      if (tx.row) tx.append(event);
      await this.onOutcome?.(tx.trx, { type, row: final });
      return true;
    });
    if (!applied) this.deps.logger.warn({ invitation: row.id }, 'outbox lease lost; another worker owns it');
    else if (!result.ok)
      this.deps.logger.warn({ invitation: presentInvitation(final) }, 'invitation could not be delivered');
  }

  start() {
    this.poller.start();
  }

  async stop() {
    await this.poller.stop();
    this.mailer?.close();
  }
}
