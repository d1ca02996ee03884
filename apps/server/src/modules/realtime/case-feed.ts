import type { ConsentState, EndReason, Presence, ServerMessage, SessionRole } from '@lifeline/contracts';
import type { Bus } from '../../lib/bus.js';
import type { TypedEvents } from '../../lib/events.js';
import type { CaseLedgerEvents } from '../cases/case-ledger.js';

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
  | { kind: 'kick'; socketIds: string[] }
  /** This connection moved to a socket on process `nodeId`: any other process closes its old socket. */
  | { kind: 'moved'; socketId: string; nodeId: string }
  /** The case ended: every socket is told why and closed. */
  | { kind: 'end'; reason: EndReason };

/** What travels on `org:{orgId}`: to every process with a console of that organisation. */
export type OrgTopicMessage =
  /** `created`: the change is the case's creation, which consoles signal as new work. */
  { kind: 'case.changed'; code: string; created?: true } | { kind: 'case.deleted'; code: string };

export const caseTopic = (caseId: string) => `case:${caseId}`;
export const orgTopic = (orgId: string) => `org:${orgId}`;

/**
 * Carries case changes to live sessions and consoles, on whichever process
 * they are connected: it follows the case ledger's events, and relays what
 * concerns the sockets themselves.
 */
export class CaseFeed {
  constructor(
    private readonly bus: Bus,
    ledger: TypedEvents<CaseLedgerEvents>,
  ) {
    ledger.on('case.changed', (e) => {
      this.toOrg(e.orgId, {
        kind: 'case.changed',
        code: e.code,
        ...(e.audit.includes('case.created') ? { created: true as const } : {}),
      });
      if (e.session) {
        this.presence(e.caseId, e.session.presence);
        this.toCase(e.caseId, { kind: 'broadcast', message: { type: 'status', status: e.session.status } });
      }
    });
    ledger.on('case.ended', (e) => {
      this.toOrg(e.orgId, { kind: e.reason === 'deleted' ? 'case.deleted' : 'case.changed', code: e.code });
      this.toCase(e.caseId, { kind: 'end', reason: e.reason });
    });
  }

  /** The customer's consent about one agent changed: that agent's page is told. */
  consent(caseId: string, agentSocketId: string, state: ConsentState) {
    this.toCase(caseId, {
      kind: 'relay',
      fromRole: 'customer',
      to: agentSocketId,
      message: { type: 'consent', state },
    });
  }

  private presence(caseId: string, presence: Presence) {
    this.toCase(caseId, { kind: 'broadcast', message: { type: 'presence', presence } });
  }

  toCase(caseId: string, message: CaseTopicMessage) {
    this.bus.publish(caseTopic(caseId), message);
  }

  private toOrg(orgId: string, message: OrgTopicMessage) {
    this.bus.publish(orgTopic(orgId), message);
  }
}
