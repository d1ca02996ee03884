import { describe, expect, it } from 'vitest';
import { AdaptivePolicy, LADDER } from './adapt.js';

function policy() {
  const clock = { ms: 0 };
  return { clock, p: new AdaptivePolicy(() => clock.ms, { settleMs: 5_000, upAfterMs: 15_000 }) };
}

describe('adapting the picture to the link', () => {
  it('starts at full size and stays there on a clean link', () => {
    const { clock, p } = policy();
    for (let i = 0; i < 30; i++) {
      clock.ms += 1_000;
      expect(p.report({ fractionLost: 0, estimatedBitrate: 10_000_000 })).toBeUndefined();
    }
    expect(p.current).toEqual(LADDER[0]);
  });

  it('steps down after two lossy receiver reports in a row, not after one', () => {
    const { clock, p } = policy();
    clock.ms = 6_000;
    expect(p.report({ fractionLost: 0.2 })).toBeUndefined();
    expect(p.report({ fractionLost: 0 })).toBeUndefined();
    expect(p.report({ fractionLost: 0.2 })).toBeUndefined();
    expect(p.report({ fractionLost: 0.3 })).toEqual(LADDER[1]);
  });

  it('steps down when the bandwidth estimate stays below what is being sent, not while the estimate ramps up', () => {
    const { clock, p } = policy();
    const low = { estimatedBitrate: 300_000, sendingBitrate: 1_500_000 };
    for (let i = 0; i < 3; i++) expect(p.report(low)).toBeUndefined();
    clock.ms = 6_000;
    expect(p.report(low)).toEqual(LADDER[1]);
  });

  it('takes a low estimate for a still screen that sends little, not for a slow link', () => {
    const { clock, p } = policy();
    clock.ms = 6_000;
    for (let i = 0; i < 10; i++) {
      clock.ms += 1_000;
      expect(p.report({ estimatedBitrate: 300_000, sendingBitrate: 40_000 })).toBeUndefined();
    }
  });

  it('waits between steps, and climbs back after a quiet stretch with room to spare', () => {
    const { clock, p } = policy();
    clock.ms = 6_000;
    p.report({ fractionLost: 0.5 });
    expect(p.report({ fractionLost: 0.5 })).toEqual(LADDER[1]);
    clock.ms += 1_000;
    p.report({ fractionLost: 0.5 });
    expect(p.report({ fractionLost: 0.5 })).toBeUndefined();
    clock.ms += 10_000;
    expect(p.report({ fractionLost: 0 })).toBeUndefined();
    clock.ms += 6_000;
    expect(p.report({ fractionLost: 0 })).toEqual(LADDER[0]);
  });
});
