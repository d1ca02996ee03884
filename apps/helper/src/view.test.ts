import { describe, expect, it } from 'vitest';
import { wording } from './view.js';

describe('the consent question', () => {
  const who = { agentName: 'Alex Agent', organization: 'Acme Support' };

  it('says the session is recorded when the organisation records it', () => {
    expect(wording.consent({ ...who, recorded: true })).toBe(
      'Allow Alex Agent from Acme Support to see your screen? This session is recorded.',
    );
  });

  it('asks plainly otherwise', () => {
    expect(wording.consent({ ...who, recorded: false })).toBe(
      'Allow Alex Agent from Acme Support to see your screen?',
    );
  });
});
