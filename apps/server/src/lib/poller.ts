import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `tick` every `intervalMs`, never two at once, logging failures and
 * trying again on the next tick. Tests call the tick directly instead.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly logger: FastifyBaseLogger,
    private readonly tick: () => Promise<unknown>,
  ) {}

  start() {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.logger.error({ err }, `${this.what} failed; retrying on the next tick`))
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and waits for a tick in progress, so its results are stored before shutdown. */
  async stop() {
    clearInterval(this.timer);
    await this.running;
  }
}
