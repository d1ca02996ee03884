import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileMessage } from './file-messages.js';
import { fileMessage } from './files.js';

const kinds = [
  'offer',
  'accept',
  'decline',
  'begin',
  'end',
  'received',
  'cancel',
  'request',
  'request-declined',
];

describe('readFileMessage', () => {
  it('takes exactly what the fileMessage schema takes, for valid and broken messages alike', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.integer({ min: -1, max: 2 ** 40 }),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const message = fc.record(
      {
        t: fc.oneof(fc.constantFrom(...kinds), fc.string({ maxLength: 5 })),
        id: fc.oneof(fc.string({ minLength: 0, maxLength: 70 }), value),
        name: fc.oneof(fc.string({ maxLength: 260 }), value),
        size: fc.oneof(fc.integer({ min: -5, max: 2 ** 40 }), value),
        type: fc.oneof(fc.string({ maxLength: 260 }), value),
        replyTo: value,
        tooLarge: fc.oneof(fc.boolean(), value),
        extra: value,
      },
      { requiredKeys: ['t'] },
    );
    fc.assert(
      fc.property(fc.oneof(message, value, fc.array(value)), (m) => {
        expect(readFileMessage(m) !== null).toBe(fileMessage.safeParse(m).success);
      }),
      { numRuns: 5000, seed: 20261130 },
    );
  });

  it('answers a valid offer as it came', () => {
    const offer = { t: 'offer', id: 'f1', name: 'report.pdf', size: 1024, type: 'application/pdf' };
    expect(readFileMessage(offer)).toEqual(offer);
  });
});
