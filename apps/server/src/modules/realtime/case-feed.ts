import type { ConsentState, EndReason, Presence, ServerMessage, SessionRole } from '@lifeline/contracts';
import type { Bus } from './bus.js';

/** What travels on `case:{caseId}`: to every process holding a socket of that case. */
export type CaseTopicMessage =
  /**
   * To the sockets of the other role than the sender's (signalling, chat, annotations);
   * with `to`, to that connection only. Agents get what the customer sends only
   * once the customer allowed them (`consent` and signalling excepted).
   */
  | { kind: 'relay'; fromRole: SessionRole; to?: string; message: ServerMessage }
  /** To every socket of the case. */
  | { kind: 'broadcast'; message: ServerMessage }
  /** These sockets were replaced by a newer one of the same partner. */
  | { kind: 'kick'; connectionIds: string[] }
  /** The case ended: every socket is told why and closed. */
  | { kind: 'end'; reason: EndReason };

/** What travels on `org:{orgId}`: to every process with a console of that organisation. */
export type OrgTopicMessage = { kind: 'case.changed'; code: string } | { kind: 'case.deleted'; code: string };

export const caseTopic = (caseId: string) => `case:${caseId}`;
export const orgTopic = (orgId: string) => `org:${orgId}`;

/** Announces case changes to live sessions and consoles, on whichever process they are connected. */
export class CaseFeed {
  private readonly localListeners: ((orgId: string) => void)[] = [];

  constructor(private readonly bus: Bus) {}

  /** Told synchronously of every change made in this process (the queue cache must not outlive one). */
  onLocalChange(listener: (orgId: string) => void) {
    this.localListeners.push(listener);
  }

  changed(orgId: string, code: string) {
    for (const listener of this.localListeners) listener(orgId);
    this.bus.publish(orgTopic(orgId), { kind: 'case.changed', code } satisfies OrgTopicMessage);
  }

  deleted(orgId: string, code: string, caseId: string) {
    for (const listener of this.localListeners) listener(orgId);
    this.bus.publish(orgTopic(orgId), { kind: 'case.deleted', code } satisfies OrgTopicMessage);
    this.toCase(caseId, { kind: 'end', reason: 'deleted' });
  }

  ended(orgId: string, code: string, caseId: string, reason: 'closed' | 'expired') {
    this.changed(orgId, code);
    this.toCase(caseId, { kind: 'end', reason });
  }

  /** The customer's consent about one agent changed: that agent's page is told. */
  consent(caseId: string, agentConnectionId: string, state: ConsentState) {
    this.toCase(caseId, {
      kind: 'relay',
      fromRole: 'customer',
      to: agentConnectionId,
      message: { type: 'consent', state },
    });
  }

  presence(caseId: string, presence: Presence) {
    this.toCase(caseId, { kind: 'broadcast', message: { type: 'presence', presence } });
  }

  toCase(caseId: string, message: CaseTopicMessage) {
    this.bus.publish(caseTopic(caseId), message);
  }
}
