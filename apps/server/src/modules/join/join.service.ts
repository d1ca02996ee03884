import type { JoinInfo } from '@lifeline/contracts';
import type { CaseRow } from '../../db/schema.js';
import type { Deps } from '../../lib/deps.js';
import { gone, notFound } from '../../lib/errors.js';
import { formatSessionCode } from '../../lib/random.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { effectiveStatus, isEnded } from '../cases/cases.presenter.js';
import type { CasesService } from '../cases/cases.service.js';
import type { PeopleService } from '../people/people.service.js';
import type { QuickSupportModulesService } from '../quicksupport-modules/quicksupport-modules.service.js';
import type { RecordingsService } from '../recordings/recordings.service.js';

/** What a session socket opens: a live case, one that ended, or nothing this server issued. */
export type SessionLookup =
  | { kind: 'open'; row: CaseRow; organization: string; recorded: boolean }
  | { kind: 'ended'; reason: 'closed' | 'expired' | 'deleted' }
  | { kind: 'unknown' };

const CODE_LOOKUPS_PER_ADDRESS = 10;
const CODE_LOOKUP_WINDOW_MS = 60_000;

/**
 * The customer's way in: a link token or a typed session code. Ended cases
 * (closed, expired, deleted) answer 410 so the page can say "this support
 * session has ended" instead of "not found".
 */
export class JoinService {
  private readonly codeLookups: RateLimiter;

  constructor(
    private readonly deps: Deps,
    private readonly cases: CasesService,
    private readonly people: PeopleService,
    private readonly modules: QuickSupportModulesService,
    private readonly recordings: RecordingsService,
  ) {
    this.codeLookups = new RateLimiter(
      deps.counters,
      'code-lookup',
      CODE_LOOKUPS_PER_ADDRESS,
      CODE_LOOKUP_WINDOW_MS,
    );
  }

  async byToken(token: string): Promise<JoinInfo> {
    return this.resolve({ token }, 'This invitation link');
  }

  /** Rate-limited per client address: codes are short enough to guess at scale. */
  async byCode(digits: string, clientIp: string): Promise<JoinInfo> {
    await this.codeLookups.consume(clientIp);
    return this.resolve({ code: formatSessionCode(digits) }, 'This session code');
  }

  /** The customer's session socket, by link token. */
  async customerSession(token: string): Promise<SessionLookup> {
    const row = await this.cases.findForCustomer({ token });
    if (!row) {
      return (await this.cases.wasIssued({ token }))
        ? { kind: 'ended', reason: 'deleted' }
        : { kind: 'unknown' };
    }
    return this.session(row, row.org_name);
  }

  /** An agent's session socket, by code within the agent's own organisation. */
  async agentSession(orgId: string, code: string): Promise<SessionLookup> {
    const row = await this.cases.lookup(orgId, code);
    if (!row) return { kind: 'unknown' };
    return this.session(row, await this.people.organizationName(orgId));
  }

  private async session(row: CaseRow, organization: string): Promise<SessionLookup> {
    const status = effectiveStatus(row, this.deps.clock.now());
    if (isEnded(status)) return { kind: 'ended', reason: status === 'expired' ? 'expired' : 'closed' };
    return { kind: 'open', row, organization, recorded: await this.recordings.records(row.org_id) };
  }

  private async resolve(by: { token: string } | { code: string }, what: string): Promise<JoinInfo> {
    const row = await this.cases.findForCustomer(by);
    if (!row) {
      if (await this.cases.wasIssued(by)) throw gone();
      throw notFound(what);
    }
    const status = effectiveStatus(row, this.deps.clock.now());
    if (isEnded(status)) throw gone();
    return {
      code: row.code,
      name: row.name,
      type: row.type,
      status,
      waitingMessage: row.waiting_message,
      organization: { name: row.org_name },
      recorded: await this.recordings.records(row.org_id),
      branding: row.module_id ? await this.modules.brandingFor(row.module_id) : null,
      token: row.customer_token,
    };
  }
}
