/**
 * How much picture the link carries: a ladder of capture sizes, frame rates
 * and bitrates, walked on what the agent's browser reports over RTCP —
 * receiver reports (fraction of packets lost) and REMB (its estimate of the
 * bandwidth it receives). Each step restarts the encoder, so steps are rare:
 * down after two lossy reports in a row, or three estimates in a row below
 * what we are actually sending; up after a quiet stretch.
 */

export interface Level {
  /** Share of the screen's width and height that is encoded. */
  scale: number;
  fps: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
}

export const LADDER: readonly Level[] = [
  { scale: 1, fps: 15, bitrate: 2_500_000 },
  { scale: 1, fps: 10, bitrate: 1_200_000 },
  { scale: 0.75, fps: 8, bitrate: 700_000 },
  { scale: 0.5, fps: 5, bitrate: 350_000 },
];

export interface LinkReport {
  /** 0–1, from an RTCP receiver report. */
  fractionLost?: number;
  /** Bits per second, from REMB: what the receiver believes the link carries. */
  estimatedBitrate?: number;
  /**
   * Bits per second we actually sent lately. A still screen sends little and
   * the receiver's estimate follows what arrives, so a low estimate is
   * trouble only when it is below what we are sending.
   */
  sendingBitrate?: number;
}

export interface PolicyOptions {
  lossyFraction: number;
  /** No step within this long of the last one (or of the start: the estimate ramps up first). */
  settleMs: number;
  /** How long without trouble before trying a richer level. */
  upAfterMs: number;
}

const DEFAULTS: PolicyOptions = { lossyFraction: 0.1, settleMs: 5_000, upAfterMs: 15_000 };

export class AdaptivePolicy {
  level = 0;
  private lossyInARow = 0;
  private lowEstimatesInARow = 0;
  private lastChange: number;
  private lastTrouble: number;
  private readonly options: PolicyOptions;

  constructor(
    private readonly now: () => number,
    options: Partial<PolicyOptions> = {},
    private readonly ladder: readonly Level[] = LADDER,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.lastChange = now();
    this.lastTrouble = now();
  }

  get current(): Level {
    return this.ladder[this.level] as Level;
  }

  /** Takes one report; answers the new level when it is time to change, else undefined. */
  report(r: LinkReport): Level | undefined {
    const t = this.now();
    if (r.fractionLost !== undefined) {
      this.lossyInARow = r.fractionLost >= this.options.lossyFraction ? this.lossyInARow + 1 : 0;
    }
    if (r.estimatedBitrate !== undefined && r.sendingBitrate !== undefined) {
      const overshooting = r.sendingBitrate > 100_000 && r.estimatedBitrate < r.sendingBitrate * 0.7;
      this.lowEstimatesInARow = overshooting ? this.lowEstimatesInARow + 1 : 0;
    }
    const trouble = this.lossyInARow >= 2 || this.lowEstimatesInARow >= 3;
    if (trouble) this.lastTrouble = t;
    if (t - this.lastChange < this.options.settleMs) return undefined;

    if (trouble && this.level < this.ladder.length - 1) return this.change(this.level + 1, t);
    if (this.level > 0 && t - this.lastTrouble >= this.options.upAfterMs)
      return this.change(this.level - 1, t);
    return undefined;
  }

  private change(level: number, t: number) {
    this.level = level;
    this.lastChange = t;
    this.lastTrouble = t;
    this.lossyInARow = 0;
    this.lowEstimatesInARow = 0;
    return this.current;
  }
}
