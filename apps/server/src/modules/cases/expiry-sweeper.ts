import type { Deps } from '../../lib/deps.js';
import type { CasesRepository } from './cases.repository.js';

const BATCH = 500;

/**
 * Stores `expired` for cases past their expiry, with an audit event. Readers
 * never wait for it (expiry is computed on read); it makes the stored state
 * and the audit trail catch up.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly repo: CasesRepository,
    private readonly onExpired: (expired: { id: string; org_id: string; code: string }[]) => void,
  ) {}

  /** Expires every due case; returns how many this call expired. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.repo.expireDue(this.deps.clock.now(), BATCH);
      if (expired.length) this.onExpired(expired);
      total += expired.length;
      if (expired.length < BATCH) return total;
    }
  }

  start() {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err: unknown) => {
          this.deps.logger.error({ err }, 'expiry sweep failed; retrying on the next tick');
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }, this.deps.config.sweepIntervalMs);
    this.timer.unref();
  }

  async stop() {
    clearInterval(this.timer);
    await this.running;
  }
}
