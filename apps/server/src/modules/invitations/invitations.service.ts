import type {
  CaseEvent,
  createInvitationRequest,
  Invitation,
  InvitationTransport,
  listOutboxQuery,
  OutboxMessage,
} from '@lifeline/contracts';
import type { CountryCode } from 'libphonenumber-js/max';
import type { z } from 'zod';
import type { CaseRow, NewCaseEventRow, OutboxRow } from '../../db/schema.js';
import { toIso, toIsoOrNull } from '../../lib/clock.js';
import { decodeTimeKeyset, pageOf } from '../../lib/cursor.js';
import type { Deps } from '../../lib/deps.js';
import { conflict, invalidField, notFound } from '../../lib/errors.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import type { CaseLedger } from '../cases/case-ledger.js';
import { caseLinks, effectiveStatus, isEnded } from '../cases/cases.presenter.js';
import type { CasesService } from '../cases/cases.service.js';
import type { PeopleService } from '../people/people.service.js';
import { InvitationsRepository } from './invitations.repository.js';
import { renderEmail, renderSms } from './templates.js';

type CreateInput = z.output<typeof createInvitationRequest>;

/** Invitations carry free text to any address: enough for real use, too few for a spam relay. */
const INVITATIONS_PER_CASE = 10;
const INVITATIONS_PER_USER = 30;
const INVITATION_WINDOW_MS = 3_600_000;
type PageQuery = { limit: number; cursor?: string | undefined };

// The full metadata (precise validation) is loaded with the first SMS, not by every CLI run and start.
let phoneNumbers: Promise<typeof import('libphonenumber-js/max')> | undefined;
const loadPhoneNumbers = () => (phoneNumbers ??= import('libphonenumber-js/max'));

export function presentInvitation(row: OutboxRow): Invitation {
  return {
    id: row.id,
    caseCode: row.case_code,
    channel: row.channel,
    to: row.recipient,
    message: row.message,
    status: row.status,
    transport: row.transport,
    error: row.error,
    attempts: row.attempts,
    createdBy: { type: row.created_by_type, id: row.created_by_id, name: row.created_by_name },
    createdAt: toIso(row.created_at),
    sentAt: toIsoOrNull(row.sent_at),
  };
}

const presentOutbox = (row: OutboxRow): OutboxMessage => ({
  ...presentInvitation(row),
  subject: row.subject,
  text: row.text_body,
  html: row.html_body,
});

const keyOf = (row: OutboxRow) => ({ at: row.created_at, id: row.id });

/** The transport each channel uses in this process: a provider, or the local outbox. */
export type ChannelTransports = { email: InvitationTransport; sms: InvitationTransport };

export class InvitationsService {
  readonly repo: InvitationsRepository;
  private readonly perCase: RateLimiter;
  private readonly perSender: RateLimiter;

  constructor(
    private readonly deps: Deps,
    private readonly cases: CasesService,
    private readonly ledger: CaseLedger,
    private readonly people: PeopleService,
    private readonly transports: ChannelTransports,
  ) {
    this.repo = new InvitationsRepository(deps.database.db);
    this.perCase = new RateLimiter(
      deps.counters,
      'invitations-case',
      INVITATIONS_PER_CASE,
      INVITATION_WINDOW_MS,
    );
    this.perSender = new RateLimiter(
      deps.counters,
      'invitations-user',
      INVITATIONS_PER_USER,
      INVITATION_WINDOW_MS,
    );
  }

  /** E.164, or a 400 naming the field. */
  private async normalisePhone(text: string): Promise<string> {
    const { parsePhoneNumberFromString } = await loadPhoneNumbers();
    const region = this.deps.config.smsDefaultRegion as CountryCode | undefined;
    const number = parsePhoneNumberFromString(text, region ? { defaultCountry: region } : {});
    if (number?.isValid()) return number.number;
    throw invalidField(
      'to',
      region || text.trim().startsWith('+')
        ? 'is not a valid phone number'
        : 'is not a valid phone number in international format (start it with + and the country code)',
    );
  }

  /**
   * Stores the rendered message in the outbox with its `invitation.queued`
   * audit event; the worker sends it. Nothing is sent from the request itself,
   * so a slow provider never slows the agent down and a crash loses nothing.
   */
  async create(p: Principal, code: string, input: CreateInput): Promise<Invitation> {
    const to = input.channel === 'sms' ? await this.normalisePhone(input.to) : input.to;
    const row = await this.cases.findRow(p.orgId, code);
    const now = this.deps.clock.now();
    this.assertOpen(row, now);
    await this.perCase.consume(row.id);
    await this.perSender.consume(p.userId);
    const content = {
      organization: await this.people.organizationName(p.orgId),
      customerLink: caseLinks(this.deps.config.publicUrl, row).customer,
      supportUrl: `${this.deps.config.publicUrl}/support`,
      code: row.code,
      message: input.message,
      agentName: p.userName,
    };
    const rendered =
      input.channel === 'email'
        ? renderEmail(content)
        : { subject: null, text: renderSms(content), html: null };
    const actor = actorOf(p);
    const message: OutboxRow = {
      id: this.deps.newId(),
      org_id: p.orgId,
      case_id: row.id,
      case_code: row.code,
      channel: input.channel,
      transport: this.transports[input.channel],
      recipient: to,
      message: input.message ?? null,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      status: 'queued',
      error: null,
      provider_id: null,
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_until: null,
      created_by_type: actor.type,
      created_by_id: actor.id,
      created_by_name: actor.name,
      created_at: now,
      sent_at: null,
    };
    await this.ledger.transact(row.id, async (tx) => {
      // Checked again on the locked case: a close racing this request wins, and nothing is queued.
      if (!tx.row) throw notFound(`Service case ${code}`);
      this.assertOpen(tx.row, now);
      await this.repo.insert(tx.trx, message);
      tx.append(invitationEvent(message, 'invitation.queued', actor, now, { transport: message.transport }));
    });
    return presentInvitation(message);
  }

  private assertOpen(row: CaseRow, now: number) {
    const status = effectiveStatus(row, now);
    if (isEnded(status))
      throw conflict('case_ended', `Service case ${row.code} is ${status}; its link no longer works.`);
  }

  async list(p: Principal, code: string, query: PageQuery) {
    const row = await this.cases.findRow(p.orgId, code);
    const rows = await this.repo.listForCase(row.id, decodeTimeKeyset(query.cursor), query.limit + 1);
    return pageOf(rows, query.limit, presentInvitation, keyOf);
  }

  async outbox(p: Principal, query: z.output<typeof listOutboxQuery>) {
    const rows = await this.repo.listForOrg(
      p.orgId,
      { status: query.status, transport: query.transport },
      decodeTimeKeyset(query.cursor),
      query.limit + 1,
    );
    return pageOf(rows, query.limit, presentOutbox, keyOf);
  }
}

export function invitationEvent(
  row: OutboxRow,
  type: Extract<CaseEvent['type'], `invitation.${string}`>,
  actor: { type: OutboxRow['created_by_type']; id: string | null; name: string | null },
  now: number,
  extra: object = {},
): NewCaseEventRow {
  return {
    case_id: row.case_id,
    org_id: row.org_id,
    type,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_name: actor.name,
    data: JSON.stringify({ invitationId: row.id, channel: row.channel, to: row.recipient, ...extra }),
    created_at: now,
  };
}
