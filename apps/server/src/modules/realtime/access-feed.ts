import type { Bus } from '../../lib/bus.js';

/** Why a user's sockets must authenticate again. */
export type AccessChange = 'signed_out' | 'deactivated' | 'password_changed' | 'token_revoked';

/** What travels on `access`: every process closes the sockets it holds for that user. */
export type AccessTopicMessage = { kind: 'access.changed'; userId: string; change: AccessChange };

export const ACCESS_TOPIC = 'access';

/**
 * Announces that a user's access ended or changed, to every process: their open
 * console and session sockets were authenticated once, at the upgrade, and
 * would otherwise keep streaming after the sign-in behind them is gone.
 */
export class AccessFeed {
  constructor(private readonly bus: Bus) {}

  changed(userId: string, change: AccessChange) {
    this.bus.publish(ACCESS_TOPIC, { kind: 'access.changed', userId, change } satisfies AccessTopicMessage);
  }
}
