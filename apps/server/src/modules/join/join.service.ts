import type { JoinInfo } from '@lifeline/contracts';
import type { Deps } from '../../lib/deps.js';
import { gone, notFound } from '../../lib/errors.js';
import { formatSessionCode } from '../../lib/random.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { effectiveStatus, isEnded } from '../cases/cases.presenter.js';
import type { CasesRepository } from '../cases/cases.repository.js';
import type { ModulesService } from '../modules/modules.service.js';

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
    private readonly cases: CasesRepository,
    private readonly modules: ModulesService,
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
      branding: row.module_id ? await this.modules.brandingFor(row.module_id) : null,
      token: row.customer_token,
    };
  }
}
