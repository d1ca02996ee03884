import type { Deps } from '../../lib/deps.js';
import { Poller } from '../../lib/poller.js';
import type { CaseLedger } from './case-ledger.js';

const BATCH = 500;

/**
 * Stores `expired` for cases past their expiry, with an audit event. Readers
 * never wait for it (expiry is computed on read); it makes the stored state
 * and the audit trail catch up, and the ledger announces each expiry.
 */
export class ExpirySweeper {
  private readonly poller: Poller;

  constructor(
    private readonly ledger: CaseLedger,
    deps: Deps,
  ) {
    this.poller = new Poller('expiry sweep', deps.config.sweepIntervalMs, deps.logger, () => this.sweep());
  }

  /** Expires every due case; returns how many this call expired. */
  async sweep(): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.ledger.expireDue(BATCH);
      total += expired.length;
      if (expired.length < BATCH) return total;
    }
  }

  start() {
    this.poller.start();
  }

  stop() {
    return this.poller.stop();
  }
}
