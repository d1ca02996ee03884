import type {
  Actor,
  CaseEventType,
  CaseStatus,
  ConsentDecision,
  ConsentState,
  Presence,
  SessionRole,
  SharingState,
  TransferReport,
} from '@lifeline/contracts';
import type { CaseRow, LiveSocketRow } from '../../db/schema.js';
import type { Deps } from '../../lib/deps.js';
import { gone } from '../../lib/errors.js';
import { caseEvent } from '../cases/case-events.js';
import type { CaseLedger, CasePatch, CaseTransaction } from '../cases/case-ledger.js';
import { effectiveStatus, isEnded } from '../cases/cases.presenter.js';
import type { CaseFeed } from './case-feed.js';
import { LiveRepository } from './live.repository.js';

export interface Participant {
  role: SessionRole;
  /** The agent's user; customers have none. */
  userId: string | null;
  name: string | null;
}

export interface Joined {
  row: CaseRow;
  presence: Presence;
  consent: ConsentState;
  sharing: SharingState;
}

/** SPEC §3: new until someone connects, pending while one partner is there, in_progress once both were. */
function nextStatus(status: CaseStatus, online: { agent: boolean; customer: boolean }): CaseStatus {
  if (online.agent && online.customer && (status === 'new' || status === 'pending')) return 'in_progress';
  if ((online.agent || online.customer) && status === 'new') return 'pending';
  return status;
}

/** Who is online; an agent row's `consent` is the customer's answer about that agent. */
function presenceOf(connections: LiveSocketRow[]): Presence {
  const agents = connections
    .filter((c) => c.role === 'agent')
    .sort((a, b) => a.connected_at - b.connected_at || a.id.localeCompare(b.id));
  return {
    agent: agents.length > 0,
    customer: connections.some((c) => c.role === 'customer'),
    agentName: agents[0]?.user_name ?? null,
    agents: agents.map((a) => ({
      id: a.id,
      userId: a.user_id,
      name: a.user_name ?? 'Agent',
      consent: a.consent,
    })),
  };
}

/** A newer socket replaces the partner's older one: the customer's, or the same agent's (a reload, another tab). */
function replacedBy(who: Participant, c: LiveSocketRow) {
  return c.role === who.role && (who.role === 'customer' || c.user_id === who.userId);
}

export type ConsentChange =
  | { kind: 'changed'; state: ConsentState }
  /** The agent already had this answer: nothing is written. */
  | { kind: 'unchanged'; state: ConsentState }
  | { kind: 'no_agent' };

/**
 * Presence of the partners of a live session, kept in the database so every
 * server process agrees, and the status changes, audit events and remote
 * connections that follow from it. Each change is written through the case
 * ledger, which announces it; the feed carries only what concerns the sockets
 * themselves (a replaced socket, the consent relay).
 */
export class LiveSessions {
  private readonly repo: LiveRepository;

  constructor(
    private readonly deps: Deps,
    private readonly ledger: CaseLedger,
    private readonly feed: CaseFeed,
    readonly nodeId: string,
  ) {
    this.repo = new LiveRepository(deps.database.db);
  }

  private actorOf(row: CaseRow, who: Pick<Participant, 'role' | 'userId' | 'name'>): Actor {
    return who.role === 'agent'
      ? { type: 'user', id: who.userId, name: who.name }
      : { type: 'customer', id: null, name: row.customer_name };
  }

  private event(row: CaseRow, type: CaseEventType, actor: Actor, data: object) {
    return caseEvent(row, type, actor, data, this.deps.clock.now());
  }

  /**
   * Adds a connection of `who` to the case. A partner has one connection at a
   * time: an older one of the customer, or of the same agent (another tab, a
   * reconnect racing the old socket's close), is replaced and told so. Other
   * agents stay. A customer's new connection is asked again about every agent.
   */
  async join(caseId: string, socketId: string, who: Participant): Promise<Joined> {
    const result = await this.ledger.transact(caseId, async (tx) => {
      const { row, trx } = tx;
      const now = this.deps.clock.now();
      if (!row || isEnded(effectiveStatus(row, now))) throw gone();
      const before = await this.repo.socketsOf(trx, caseId);
      const replaced = before.filter((c) => replacedBy(who, c)).map((c) => c.id);
      await this.repo.deleteSockets(trx, replaced);
      const stay = before.filter((c) => !replacedBy(who, c));
      if (who.role === 'customer') {
        const asked = stay.filter((c) => c.role === 'agent' && c.consent !== 'pending');
        for (const agent of asked) {
          await this.repo.setSocket(trx, agent.id, { consent: 'pending' });
          agent.consent = 'pending';
        }
      }
      const connection: LiveSocketRow = {
        id: socketId,
        case_id: caseId,
        role: who.role,
        user_id: who.userId,
        user_name: who.name,
        node_id: this.nodeId,
        consent: 'pending',
        sharing: 'off',
        connected_at: now,
      };
      await this.repo.insertSocket(trx, connection);
      const connections = [...stay, connection];
      const presence = presenceOf(connections);
      const actor = this.actorOf(row, who);
      tx.append(this.event(row, 'session.joined', actor, { role: who.role }));
      const patch: CasePatch = {};
      // Connecting to an unassigned case takes it, as accepting a session from a queue does.
      if (who.role === 'agent' && row.assignee_id === null && who.userId) {
        patch.assignee_id = who.userId;
        patch.assigned_at = now;
        tx.append(this.event(row, 'case.assigned', actor, { from: null, to: who.userId }));
      }
      await this.applyPresence(tx, row, presence, actor, patch, now);
      await this.syncMedia(tx, row, connections, actor, now);
      const customer = connections.find((c) => c.role === 'customer');
      return {
        replaced,
        joined: {
          row: { ...row, ...patch },
          presence,
          consent: 'pending',
          sharing: customer?.sharing ?? 'off',
        } satisfies Joined,
      };
    });
    if (result.replaced.length) this.feed.toCase(caseId, { kind: 'kick', socketIds: result.replaced });
    // A customer who comes back is asked again about every agent: consent belongs to one connection.
    if (who.role === 'customer')
      for (const agent of result.joined.presence.agents) this.feed.consent(caseId, agent.id, 'pending');
    return result.joined;
  }

  /**
   * Moves an agent's open connection to a new socket of the same agent (the agent client taking
   * over the socket its queue opened on "Connect"): the connection keeps its id and the customer's
   * answer, and nobody sees it leave or join. Undefined unless `socketId` is that agent's connection
   * to this case now; the caller then joins afresh.
   */
  async resume(caseId: string, socketId: string, who: Participant): Promise<Joined | undefined> {
    if (who.role !== 'agent' || !who.userId) return undefined;
    return this.ledger.transact(caseId, async (tx) => {
      const { row, trx } = tx;
      if (!row || isEnded(effectiveStatus(row, this.deps.clock.now()))) throw gone();
      const connections = await this.repo.socketsOf(trx, caseId);
      const moving = connections.find(
        (c) => c.id === socketId && c.role === 'agent' && c.user_id === who.userId,
      );
      if (!moving) return undefined;
      await this.repo.moveSocket(trx, socketId, this.nodeId);
      const customer = connections.find((c) => c.role === 'customer');
      return {
        row,
        presence: presenceOf(connections),
        consent: moving.consent,
        sharing: customer?.sharing ?? 'off',
      };
    });
  }

  /**
   * Removes the connection, if it is still there (a replaced one is already gone) and still held by
   * one of `heldBy`'s processes: a connection that moved to another process's socket (`resume`)
   * lives on there, whatever becomes of its old socket.
   */
  async leave(caseId: string, socketId: string, heldBy?: readonly string[]) {
    await this.ledger.transact(caseId, async (tx) => {
      const { row, trx } = tx;
      if (!row) return;
      const before = await this.repo.socketsOf(trx, caseId);
      const leaving = before.find((c) => c.id === socketId);
      if (!leaving || (heldBy && !heldBy.includes(leaving.node_id))) return;
      await this.repo.deleteSockets(trx, [socketId]);
      const staying = before.filter((c) => c.id !== socketId);
      const presence = presenceOf(staying);
      const now = this.deps.clock.now();
      const actor = this.actorOf(row, {
        role: leaving.role,
        userId: leaving.user_id,
        name: leaving.user_name,
      });
      tx.append(this.event(row, 'session.left', actor, { role: leaving.role }));
      await this.applyPresence(tx, row, presence, actor, {}, now);
      await this.syncMedia(tx, row, staying, actor, now);
    });
  }

  /** Removes the connections of server processes that are gone, as if each had left. */
  async forgetNodes(nodeIds: string[] | 'all') {
    for (const caseId of await this.repo.casesOfNodes(nodeIds)) {
      const ids = await this.repo.socketIdsOfNodes(caseId, nodeIds);
      for (const id of ids) await this.leave(caseId, id, nodeIds === 'all' ? undefined : nodeIds);
    }
  }

  nodesWithSockets() {
    return this.repo.nodesWithSockets();
  }

  /** The sockets recorded for this process. */
  ownSocketIds() {
    return this.repo.socketIdsOfNode(this.nodeId);
  }

  /**
   * The customer's answer about one agent, recorded and told to that agent. A
   * repeated answer writes nothing, so the audit trail lists decisions, not clicks.
   */
  async consent(caseId: string, agentSocketId: string, decision: ConsentDecision): Promise<ConsentChange> {
    const state: ConsentState = decision === 'allow' ? 'allowed' : 'denied';
    const result = await this.ledger.transact(caseId, async (tx) => {
      const { row, trx } = tx;
      if (!row) throw gone();
      const connections = await this.repo.socketsOf(trx, caseId);
      const agent = connections.find((c) => c.id === agentSocketId && c.role === 'agent');
      if (!agent) return { change: { kind: 'no_agent' } as const };
      if (agent.consent === state) return { change: { kind: 'unchanged', state } as const };
      await this.repo.setSocket(trx, agent.id, { consent: state });
      agent.consent = state;
      const actor = this.actorOf(row, { role: 'customer', userId: null, name: null });
      const type = decision === 'allow' ? 'consent.allowed' : 'consent.denied';
      const data = { caseType: row.type, agent: { id: agent.user_id, name: agent.user_name } };
      tx.append(this.event(row, type, actor, data));
      await this.syncMedia(tx, row, connections, actor, this.deps.clock.now());
      // Who may see the screen changed: the pages of the session hear it with the presence.
      tx.session({ presence: presenceOf(connections), status: row.status });
      return { change: { kind: 'changed', state } as const };
    });
    if (result.change.kind === 'changed') this.feed.consent(caseId, agentSocketId, state);
    return result.change;
  }

  /** What the customer's connection sends now; the remote connection starts or ends with it. */
  async sharing(caseId: string, socketId: string, state: SharingState) {
    await this.ledger.transact(caseId, async (tx) => {
      const { row, trx } = tx;
      if (!row) return;
      const connections = await this.repo.socketsOf(trx, caseId);
      const sender = connections.find((c) => c.id === socketId);
      if (!sender) return;
      await this.repo.setSocket(trx, socketId, { sharing: state });
      sender.sharing = state;
      const actor = this.actorOf(row, { role: 'customer', userId: null, name: null });
      await this.syncMedia(tx, row, connections, actor, this.deps.clock.now());
    });
  }

  /**
   * One chat message into the case's audit trail (`chat.message`), so the
   * transcript outlives the session. `at` is the time the message was relayed with.
   */
  async chat(caseId: string, who: Participant, text: string, at: number) {
    await this.ledger.transact(caseId, async (tx) => {
      if (!tx.row) return;
      const actor = this.actorOf(tx.row, who);
      tx.append(caseEvent(tx.row, 'chat.message', actor, { role: who.role, text }, at));
    });
  }

  /**
   * A finished file or clipboard transfer into the case's audit trail, as the
   * agent's page reported it (`file.transferred`, `clipboard.pasted`,
   * `clipboard.read`). `at` is the time the report arrived.
   */
  async transfer(caseId: string, who: Participant, report: TransferReport, at: number) {
    await this.ledger.transact(caseId, async (tx) => {
      if (!tx.row) return;
      const actor = this.actorOf(tx.row, who);
      const { kind, ...data } = report;
      const type =
        kind === 'file'
          ? 'file.transferred'
          : report.direction === 'to_customer'
            ? 'clipboard.pasted'
            : 'clipboard.read';
      tx.append(caseEvent(tx.row, type, actor, { role: who.role, ...data }, at));
    });
  }

  /** Stores the flags and status that follow from who is online. */
  private async applyPresence(
    tx: CaseTransaction,
    row: CaseRow,
    presence: Presence,
    actor: Actor,
    patch: CasePatch,
    now: number,
  ) {
    const stored = row.status;
    const status = isEnded(effectiveStatus(row, now)) ? stored : nextStatus(stored, presence);
    if (status !== stored) {
      patch.status = status;
      tx.append(this.event(row, 'case.status_changed', actor, { from: stored, to: status }));
    }
    patch.agent_online = presence.agent ? 1 : 0;
    patch.customer_online = presence.customer ? 1 : 0;
    patch.updated_at = now;

    tx.update(patch);
    tx.session({ presence, status: patch.status ?? stored });
  }

  /**
   * Opens or ends the remote connection (and its audit events) by whether media
   * flows: the customer shares (or paused sharing) and allowed at least one agent
   * present. Both merely being online is not a connection: nothing is seen
   * before the customer's consent.
   */
  private async syncMedia(
    tx: CaseTransaction,
    row: CaseRow,
    connections: LiveSocketRow[],
    actor: Actor,
    now: number,
  ) {
    const customer = connections.find((c) => c.role === 'customer');
    const allowed = connections
      .filter((c) => c.role === 'agent' && c.consent === 'allowed')
      .sort((a, b) => a.connected_at - b.connected_at || a.id.localeCompare(b.id));
    const media = customer !== undefined && customer.sharing !== 'off' && allowed.length > 0;
    const open = await this.repo.openConnection(tx.trx, row.id);
    const agent = allowed[0];
    if (media && !open && agent) {
      await this.repo.startConnection(tx.trx, {
        id: this.deps.newId(),
        case_id: row.id,
        org_id: row.org_id,
        agent_id: agent.user_id ?? row.assignee_id,
        agent_name: agent.user_name,
        type: row.type,
        started_at: now,
        ended_at: null,
      });
      tx.append(this.event(row, 'connection.started', actor, { agentName: agent.user_name }));
    } else if (!media && open) {
      await this.repo.endConnection(tx.trx, open.id, now);
      tx.append(
        this.event(row, 'connection.ended', actor, {
          durationSeconds: Math.round((now - open.started_at) / 1000),
        }),
      );
    }
  }
}
