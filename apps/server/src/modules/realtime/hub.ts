import {
  agentOnlyMessages,
  type ClientMessage,
  type ConsentState,
  type ConsoleMessage,
  clientMessage,
  closeCodes,
  customerOnlyMessages,
  type EndReason,
  joinMessage,
  type Presence,
  type ServerMessage,
  type SessionRole,
  type SharingState,
} from '@lifeline/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { CaseRow } from '../../db/schema.js';
import type { Bus } from '../../lib/bus.js';
import type { Deps } from '../../lib/deps.js';
import { AppError } from '../../lib/errors.js';
import { BAD_TEXT_MESSAGE, badTextPath } from '../../lib/text.js';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import type { AuthService } from '../auth/auth.service.js';
import { presentCase } from '../cases/cases.presenter.js';
import type { CasesService } from '../cases/cases.service.js';
import type { JoinService, SessionLookup } from '../join/join.service.js';
import { ACCESS_TOPIC, type AccessTopicMessage } from './access-feed.js';
import { type CaseTopicMessage, caseTopic, type OrgTopicMessage, orgTopic } from './case-feed.js';
import { iceServersFor } from './ice.js';
import type { Joined, LiveSessions } from './live.service.js';

/** Told how long each session message took to handle (the metrics' signalling histogram). */
export type MessageObserver = (type: string, seconds: number) => void;

const HEARTBEAT_MS = 30_000;
/** How long a customer's standby socket waits for "Join in browser" before it closes (the page opens another). */
const STANDBY_MS = 15 * 60_000;
/** setTimeout's limit; a later expiry is re-armed when it comes closer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What one connection may write (audit trail, stored state, chat): a burst,
 * then one more per refill period. Pointer moves and signalling write nothing
 * and are not counted.
 */
const WRITE_BUDGETS = {
  /** Consent, sharing and control answers. */
  state: { burst: 10, refillMs: 2_000 },
  chat: { burst: 20, refillMs: 1_000 },
  /** Reports of finished file and clipboard transfers. */
  transfer: { burst: 30, refillMs: 1_000 },
} as const;
type Budget = keyof typeof WRITE_BUDGETS;
const budgetOf: Partial<Record<ClientMessage['type'], Budget>> = {
  consent: 'state',
  sharing: 'state',
  device: 'state',
  'control-state': 'state',
  chat: 'chat',
  transfer: 'transfer',
};

/**
 * Customer messages an agent gets before the customer allowed that agent. The
 * device (a phone, which shows its camera) is no picture: the agent learns
 * what to expect while the customer decides.
 */
const beforeConsent = new Set<ServerMessage['type']>(['signal', 'consent', 'device']);
const MEDIA_SECTION = /^m=(audio|video) /m;

/** One partner's session socket in a room (a customer or one agent). */
interface Member {
  id: string;
  role: SessionRole;
  name: string;
  ws: WebSocket;
  /** Customers: what they are sending now, told to each agent they allow. */
  sharing: SharingState;
  /** Tokens left per write budget, and when they were last refilled. */
  budgets: Map<Budget, { tokens: number; at: number }>;
  /** Messages of one socket are handled in order: a signal must not overtake the consent before it. */
  queue: Promise<void>;
  /** Its chat messages' and transfer reports' audit-trail writes, in order, apart from `queue`: a slow database must not hold up signalling. */
  records: Promise<void>;
  /** Whose connection it is, as its chat messages and transfer reports are recorded. */
  userId: string | null;
  /** Its live_sockets row is written (set once live.join returned). */
  joined: boolean;
}

/** The sockets this process holds for one case, and its subscription to the case's topic. */
interface Room {
  row: CaseRow;
  sockets: Map<string, Member>;
  /** The customer's answer about each agent socket, as the latest presence on the case's topic says. */
  consents: Map<string, ConsentState>;
  unsubscribe: Promise<() => void>;
  expiry: NodeJS.Timeout | undefined;
}

type Alive = WebSocket & { lifelineAlive?: boolean };

const send = (ws: WebSocket, message: ServerMessage | ConsoleMessage) => {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
};

function endSocket(ws: WebSocket, reason: EndReason) {
  send(ws, { type: 'ended', reason });
  ws.close(reason === 'replaced' ? closeCodes.ended : closeCodes.gone, reason);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The realtime hub: session sockets of customers (by link token) and agents
 * (by sign-in cookie), and console sockets streaming an organisation's queue.
 * Everything that must reach another process goes through the bus; this
 * process only delivers to the sockets it holds.
 */
export class Hub {
  private readonly rooms = new Map<string, Room>();
  private readonly consoles = new Map<
    string,
    { sockets: Set<WebSocket>; unsubscribe: Promise<() => void> }
  >();
  private readonly sockets = new Set<Alive>();
  /** Whose sign-in opened each agent's socket (console and session), from the moment it was checked. */
  private readonly socketUsers = new Map<WebSocket, string>();
  private accessWatch: Promise<() => void> | undefined;
  /** Connections of this process moving to a new socket (`resume`): whether the move succeeded. */
  private readonly moving = new Map<string, Promise<boolean>>();
  /** Connections of this process whose socket closed, while their leave is recorded: they do not move. */
  private readonly leavingIds = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly bus: Bus,
    private readonly live: LiveSessions,
    private readonly auth: AuthService,
    private readonly join: JoinService,
    private readonly cases: CasesService,
    private readonly observeMessage: MessageObserver = () => {},
  ) {}

  /** Session sockets of this process whose live_sockets row was written. */
  joinedSocketIds(): string[] {
    const ids: string[] = [];
    for (const room of this.rooms.values())
      for (const c of room.sockets.values()) if (c.joined) ids.push(c.id);
    return ids;
  }

  /**
   * Closes these sockets with 1012 ("service restart"), which the pages answer by
   * reconnecting: their rows were removed by another process that took this one
   * for dead, and a fresh join records them again.
   */
  rejoin(ids: string[]) {
    const wanted = new Set(ids);
    for (const room of this.rooms.values())
      for (const c of room.sockets.values()) if (wanted.has(c.id)) c.ws.close(1012, 'rejoin');
  }

  /** The sockets this process holds, for the metrics. */
  socketCounts() {
    const session = { agent: 0, customer: 0 };
    for (const room of this.rooms.values()) for (const c of room.sockets.values()) session[c.role]++;
    let consoles = 0;
    for (const entry of this.consoles.values()) consoles += entry.sockets.size;
    return { session, console: consoles };
  }

  /** Resolves once a change of anyone's access, on any process, reaches this one. */
  watchAccess(): Promise<() => void> {
    this.accessWatch ??= this.bus.subscribe(ACCESS_TOPIC, (m) =>
      this.onAccessChanged(m as AccessTopicMessage),
    );
    return this.accessWatch;
  }

  /**
   * Closes every socket of the user here. A page reconnects at once and is authenticated afresh,
   * so a socket whose sign-in is gone stays out and one whose cookie still works is back within a moment.
   */
  private onAccessChanged(message: AccessTopicMessage) {
    const close = (ws: WebSocket) => ws.close(closeCodes.accessChanged, message.change);
    for (const [ws, userId] of this.socketUsers) if (userId === message.userId) close(ws);
  }

  register(app: FastifyInstance) {
    app.get('/ws/session', { websocket: true, schema: { hide: true } }, (ws, req) => {
      this.track(ws);
      this.openSession(ws, req).catch((err: unknown) => this.fail(ws, req, err));
    });
    app.get('/ws/console', { websocket: true, schema: { hide: true } }, (ws, req) => {
      this.track(ws);
      this.openConsole(ws, req).catch((err: unknown) => this.fail(ws, req, err));
    });
    this.heartbeat = setInterval(() => {
      for (const ws of this.sockets) {
        // No pong since the last ping: the peer vanished without closing (sleep, network loss).
        if (ws.lifelineAlive === false) ws.terminate();
        else {
          ws.lifelineAlive = false;
          ws.ping();
        }
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    app.addHook('preClose', () => this.shutdown());
  }

  private track(ws: Alive) {
    ws.lifelineAlive = true;
    ws.on('pong', () => {
      ws.lifelineAlive = true;
    });
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
  }

  private fail(ws: WebSocket, req: FastifyRequest, err: unknown) {
    if (err instanceof AppError && err.status === 410) return endSocket(ws, 'closed');
    // The upgrade request's logger: the line carries its request id.
    req.log.error({ err }, 'realtime socket failed');
    ws.close(1011, 'internal error');
  }

  /** Cookie sockets only from our own pages: a foreign page must not ride on the agent's cookie. */
  private sameOrigin(req: FastifyRequest) {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const ours = new URL(this.deps.config.publicUrl).origin;
    return origin === ours || origin === `${req.protocol}://${req.headers.host}`;
  }

  private async agentOf(ws: WebSocket, req: FastifyRequest) {
    const cookie = req.cookies[SESSION_COOKIE];
    const agent = cookie ? await this.auth.authenticateSession(cookie) : undefined;
    if (agent) {
      this.socketUsers.set(ws, agent.userId);
      ws.on('close', () => this.socketUsers.delete(ws));
    }
    return agent;
  }

  private async openSession(ws: WebSocket, req: FastifyRequest) {
    const query = req.query as Record<string, string | undefined>;
    // Messages sent before the welcome are answered, not silently lost.
    let member: Member | undefined;
    let room: Room | undefined;
    let standby: ((joined: boolean) => void) | undefined;
    ws.on('message', (data, isBinary) => {
      if (!member || !room) {
        if (standby && !isBinary && joinMessage.safeParse(parseJson(data.toString())).success) {
          standby(true);
          standby = undefined;
          return;
        }
        send(ws, { type: 'error', code: 'not_ready', message: 'Wait for the welcome message.' });
        return;
      }
      const [r, c, raw] = [room, member, isBinary ? null : data.toString()];
      const arrived = process.hrtime.bigint();
      c.queue = c.queue
        .then(() => this.onMessage(r, c, raw))
        .then((type) => this.observeMessage(type, Number(process.hrtime.bigint() - arrived) / 1e9))
        .catch((err: unknown) => req.log.error({ err, caseId: r.row.id }, 'realtime message failed'));
    });

    let found: SessionLookup;
    let who: { role: SessionRole; userId: string | null; name: string };
    // No link token or case code holds such text; the databases would store or choke on it.
    if (badTextPath(query) !== undefined) return ws.close(closeCodes.notFound, 'unknown link');
    // Opened ahead by the customer's page: nothing happens (no presence, nothing recorded) until they
    // join. A link that does not open a session is refused at once, and a socket kept waiting too long closes.
    if (query.token && query.standby !== undefined) {
      const joining = new Promise<boolean>((resolve) => {
        standby = resolve;
        ws.once('close', () => resolve(false));
      });
      const ahead = await this.join.customerSession(query.token);
      if (ahead.kind === 'unknown') return ws.close(closeCodes.notFound, 'unknown link');
      if (ahead.kind === 'ended') return endSocket(ws, ahead.reason);
      const timeout = setTimeout(() => ws.close(1000, 'standby over'), STANDBY_MS);
      const joined = await joining;
      clearTimeout(timeout);
      if (!joined) return;
    }
    if (query.token) {
      found = await this.join.customerSession(query.token);
      who = {
        role: 'customer',
        userId: null,
        name: (found.kind === 'open' && found.row.customer_name) || 'Customer',
      };
    } else if (query.case) {
      if (!this.sameOrigin(req)) return ws.close(closeCodes.forbiddenOrigin, 'foreign origin');
      const agent = await this.agentOf(ws, req);
      if (!agent) return ws.close(closeCodes.unauthenticated, 'sign in first');
      found = await this.join.agentSession(agent.orgId, query.case);
      who = { role: 'agent', userId: agent.userId, name: agent.userName };
    } else {
      return ws.close(closeCodes.notFound, 'token or case required');
    }
    if (found.kind === 'unknown')
      return ws.close(closeCodes.notFound, query.token ? 'unknown link' : 'unknown case');
    if (found.kind === 'ended') return endSocket(ws, found.reason);
    const { row, organization, recorded } = found;

    // The agent client takes over the socket its queue opened on "Connect": the same connection, on
    // this socket. A leave of the old socket on this process meanwhile waits for the move; one that
    // began before it keeps the connection from moving (it joins afresh below).
    const resumeId = who.role === 'agent' ? query.resume : undefined;
    let resumed: Joined | undefined;
    if (resumeId && !this.leavingIds.has(resumeId)) {
      const resuming = this.live.resume(row.id, resumeId, who);
      const moved = resuming.then(
        (r) => r !== undefined,
        () => false,
      );
      this.moving.set(resumeId, moved);
      try {
        resumed = await resuming;
      } finally {
        if (this.moving.get(resumeId) === moved) this.moving.delete(resumeId);
      }
    }

    room = await this.enter(row);
    const entered = room;
    const connect = (id: string): Member => {
      const m: Member = {
        id,
        role: who.role,
        name: who.name,
        ws,
        sharing: 'off',
        budgets: new Map(),
        queue: Promise.resolve(),
        records: Promise.resolve(),
        userId: who.userId,
        joined: false,
      };
      ws.on('close', () => void this.leave(entered, m));
      return m;
    };
    const welcome = (id: string, joined: Joined) =>
      send(ws, {
        type: 'welcome',
        role: who.role,
        you: id,
        session: {
          code: row.code,
          name: row.name,
          type: row.type,
          status: joined.row.status,
          waitingMessage: row.waiting_message,
          organization: { name: organization },
          recorded,
        },
        presence: joined.presence,
        consent: joined.consent,
        // An agent not allowed (yet): what the customer shares is none of their business.
        sharing: who.role === 'customer' || joined.consent === 'allowed' ? joined.sharing : 'off',
        iceServers: iceServersFor(this.deps.config.ice, row.code, this.deps.clock.now()),
        ...(this.deps.config.ice.transportPolicy === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
        fileTransferMaxBytes: this.deps.config.fileTransferMaxBytes,
      });

    if (resumed && resumeId) {
      member = connect(resumeId);
      member.joined = true;
      const before = entered.sockets.get(member.id);
      entered.sockets.set(member.id, member);
      entered.row = resumed.row;
      this.learnConsents(entered, resumed.presence);
      if (before) before.ws.close(closeCodes.moved, 'moved');
      else
        this.bus.publish(caseTopic(row.id), {
          kind: 'moved',
          socketId: member.id,
          nodeId: this.live.nodeId,
        });
      // The socket that took the connection over closed meanwhile: the connection leaves with it.
      if (ws.readyState !== ws.OPEN) return this.leave(entered, member);
      return welcome(member.id, resumed);
    }

    // Time-ordered, so the customer's list of agents keeps the order they joined in.
    member = connect(this.deps.newId());
    entered.sockets.set(member.id, member);
    if (ws.readyState !== ws.OPEN) return;

    const joined = await this.live.join(row.id, member.id, who);
    member.joined = true;
    entered.row = joined.row;
    this.learnConsents(entered, joined.presence);
    welcome(member.id, joined);
  }

  /** Handles one message of a session socket; returns its type for the metrics ('invalid' if refused unread). */
  private async onMessage(room: Room, from: Member, raw: string | null): Promise<string> {
    const parsed = raw === null ? undefined : parseJson(raw);
    const badText = badTextPath(parsed);
    if (badText !== undefined) {
      send(from.ws, {
        type: 'error',
        code: 'invalid_message',
        message: `Refused a malformed message (${badText ? `${badText}: ` : ''}${BAD_TEXT_MESSAGE}).`,
      });
      return 'invalid';
    }
    const result = clientMessage.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      send(from.ws, {
        type: 'error',
        code: 'invalid_message',
        message: `Refused a malformed message (${where}${issue?.message ?? 'not JSON'}).`,
      });
      return 'invalid';
    }
    await this.handle(room, from, result.data);
    return result.data.type;
  }

  private async handle(room: Room, from: Member, message: ClientMessage) {
    const onlyFor = (customerOnlyMessages as readonly string[]).includes(message.type)
      ? 'customer'
      : (agentOnlyMessages as readonly string[]).includes(message.type)
        ? 'agent'
        : null;
    if (onlyFor && onlyFor !== from.role) {
      return send(from.ws, {
        type: 'error',
        code: 'not_allowed',
        message: `Only the ${onlyFor} sends "${message.type}".`,
      });
    }
    const budget = budgetOf[message.type];
    if (budget && !this.spend(from, budget)) {
      return send(from.ws, {
        type: 'error',
        code: 'too_many',
        message:
          budget === 'chat'
            ? 'Too many chat messages at once: wait a moment, then send again.'
            : budget === 'transfer'
              ? 'Too many transfer reports at once: wait a moment, then report again.'
              : `Too many "${message.type}" changes at once: wait a moment, then try again.`,
      });
    }
    const allowed = from.role === 'agent' && room.consents.get(from.id) === 'allowed';
    // An agent the customer has not allowed may say hello in the chat, nothing more.
    if (from.role === 'agent' && !allowed && message.type !== 'chat' && message.type !== 'signal') {
      return send(from.ws, {
        type: 'error',
        code: 'not_allowed',
        message: `"${message.type}" works only once the customer allows you.`,
      });
    }
    const caseId = room.row.id;
    const relay = (out: ServerMessage, to?: string) =>
      this.bus.publish(caseTopic(caseId), {
        kind: 'relay',
        fromRole: from.role,
        ...(to ? { to } : {}),
        message: out,
      } satisfies CaseTopicMessage);

    switch (message.type) {
      case 'signal': {
        const { to, ...signal } = message;
        if (from.role === 'agent') {
          // The customer offers, the agent answers: an agent's offer could ask for the customer's media.
          if (signal.description?.type === 'offer') {
            return send(from.ws, {
              type: 'error',
              code: 'not_allowed',
              message: 'Only the customer offers.',
            });
          }
          return relay({ ...signal, from: from.id });
        }
        if (!to || !room.consents.has(to)) {
          return send(from.ws, {
            type: 'error',
            code: 'not_ready',
            message: 'Signalling must name an agent of this session ("to").',
          });
        }
        // The connection is set up while the customer decides; media only once they allow this agent.
        if (
          room.consents.get(to) !== 'allowed' &&
          signal.description &&
          MEDIA_SECTION.test(signal.description.sdp)
        ) {
          return send(from.ws, {
            type: 'error',
            code: 'not_ready',
            message: 'Media is sent only after the customer allows this agent.',
          });
        }
        return relay(signal, to);
      }
      case 'chat': {
        const at = this.deps.clock.now();
        // The conversation goes on at once; the transcript follows in the audit trail (a database
        // outage loses its entries, logged, rather than the conversation).
        from.records = from.records
          .then(() =>
            this.live.chat(
              caseId,
              { role: from.role, userId: from.userId, name: from.name },
              message.text,
              at,
            ),
          )
          .catch((err: unknown) =>
            this.deps.logger.error({ err, caseId }, 'could not record a chat message in the audit trail'),
          );
        return relay({
          type: 'chat',
          from: from.role,
          name: from.name,
          text: message.text,
          at: new Date(at).toISOString(),
        });
      }
      case 'transfer': {
        const at = this.deps.clock.now();
        // Only the audit trail hears of it: the other side saw the transfer happen.
        from.records = from.records
          .then(() =>
            this.live.transfer(
              caseId,
              { role: from.role, userId: from.userId, name: from.name },
              message.transfer,
              at,
            ),
          )
          .catch((err: unknown) =>
            this.deps.logger.error({ err, caseId }, 'could not record a transfer in the audit trail'),
          );
        return;
      }
      case 'consent': {
        const change = await this.live.consent(caseId, message.agent, message.decision);
        if (change.kind === 'no_agent') {
          return send(from.ws, {
            type: 'error',
            code: 'not_ready',
            message: 'That agent is not in this session any more.',
          });
        }
        // Later messages of this socket (the offer with the picture) see the answer at once.
        room.consents.set(message.agent, change.state);
        if (change.kind === 'changed' && change.state === 'allowed')
          relay({ type: 'sharing', state: from.sharing }, message.agent);
        return;
      }
      case 'sharing':
        from.sharing = message.state;
        await this.live.sharing(caseId, from.id, message.state);
        return relay({ type: 'sharing', state: message.state });
      case 'control-state':
        return relay(
          {
            type: 'control-state',
            state: message.state,
            ...(message.desktop ? { desktop: message.desktop } : {}),
          },
          message.to,
        );
      case 'control':
        return relay({ type: 'control', action: message.action, from: from.id });
      default:
        return relay(message);
    }
  }

  /** Takes one write from the connection's budget; false once it is spent. */
  private spend(c: Member, budget: Budget): boolean {
    const { burst, refillMs } = WRITE_BUDGETS[budget];
    const now = this.deps.clock.now();
    const b = c.budgets.get(budget) ?? { tokens: burst, at: now };
    const refilled = Math.floor((now - b.at) / refillMs);
    if (refilled > 0) {
      b.tokens = Math.min(burst, b.tokens + refilled);
      b.at = b.tokens === burst ? now : b.at + refilled * refillMs;
    }
    c.budgets.set(budget, b);
    if (b.tokens === 0) return false;
    b.tokens -= 1;
    return true;
  }

  private learnConsents(room: Room, presence: Presence) {
    room.consents = new Map(presence.agents.map((a) => [a.id, a.consent]));
  }

  /** Joins the case's topic before anything is announced, so this process hears every later change. */
  private async enter(row: CaseRow): Promise<Room> {
    const existing = this.rooms.get(row.id);
    if (existing) {
      await existing.unsubscribe;
      return existing;
    }
    const room: Room = {
      row,
      sockets: new Map(),
      consents: new Map(),
      unsubscribe: this.bus.subscribe(caseTopic(row.id), (m) =>
        this.onCaseTopic(room, m as CaseTopicMessage),
      ),
      expiry: undefined,
    };
    this.rooms.set(row.id, room);
    this.armExpiry(room);
    await room.unsubscribe;
    return room;
  }

  /** Expiry ends the session the moment it comes, not when the sweep next runs. */
  private armExpiry(room: Room) {
    const wait = room.row.expires_at - this.deps.clock.now();
    room.expiry = setTimeout(
      () => (wait > MAX_TIMER_MS ? this.armExpiry(room) : this.endRoom(room, 'expired')),
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    room.expiry.unref();
  }

  private endRoom(room: Room, reason: EndReason) {
    for (const c of room.sockets.values()) endSocket(c.ws, reason);
  }

  private onCaseTopic(room: Room, message: CaseTopicMessage) {
    switch (message.kind) {
      case 'relay':
        for (const c of room.sockets.values()) {
          if (c.role === message.fromRole || (message.to && c.id !== message.to)) continue;
          const gated = c.role === 'agent' && !beforeConsent.has(message.message.type);
          if (gated && room.consents.get(c.id) !== 'allowed') continue;
          send(c.ws, message.message);
        }
        return;
      case 'broadcast':
        if (message.message.type === 'presence') this.learnConsents(room, message.message.presence);
        for (const c of room.sockets.values()) send(c.ws, message.message);
        return;
      case 'kick':
        for (const id of message.socketIds) {
          const c = room.sockets.get(id);
          if (c) endSocket(c.ws, 'replaced');
        }
        return;
      case 'moved': {
        if (message.nodeId === this.live.nodeId) return;
        const c = room.sockets.get(message.socketId);
        if (!c) return;
        // Its connection lives on in the other process: closing this socket must not end it.
        room.sockets.delete(c.id);
        this.dropIfEmpty(room);
        c.ws.close(closeCodes.moved, 'moved');
        return;
      }
      case 'end':
        return this.endRoom(room, message.reason);
    }
  }

  private async leave(room: Room, member: Member) {
    // Once per connection: the socket's close event and a shutdown may both ask. A socket whose
    // connection moved to another socket is no longer the connection's; one whose connection is
    // moving now leaves only if the move fails.
    if (room.sockets.get(member.id) !== member) return;
    const moving = this.moving.get(member.id);
    if (moving && (await moving)) return;
    if (room.sockets.get(member.id) !== member) return;
    const id = member.id;
    room.sockets.delete(id);
    this.dropIfEmpty(room);
    this.leavingIds.add(id);
    try {
      await this.live.leave(room.row.id, id, [this.live.nodeId]);
    } catch (err) {
      this.deps.logger.error({ err, caseId: room.row.id }, 'could not record a partner leaving');
    } finally {
      this.leavingIds.delete(id);
    }
  }

  /** A room without sockets here: this process stops listening to the case. */
  private dropIfEmpty(room: Room) {
    if (room.sockets.size > 0 || this.rooms.get(room.row.id) !== room) return;
    this.rooms.delete(room.row.id);
    clearTimeout(room.expiry);
    void room.unsubscribe.then((unsubscribe) => unsubscribe());
  }

  private async openConsole(ws: WebSocket, req: FastifyRequest) {
    if (!this.sameOrigin(req)) return ws.close(closeCodes.forbiddenOrigin, 'foreign origin');
    const agent = await this.agentOf(ws, req);
    if (!agent) return ws.close(closeCodes.unauthenticated, 'sign in first');
    const orgId = agent.orgId;
    let consoles = this.consoles.get(orgId);
    if (!consoles) {
      const sockets = new Set<WebSocket>();
      consoles = {
        sockets,
        unsubscribe: this.bus.subscribe(orgTopic(orgId), (m) =>
          this.onOrgTopic(orgId, sockets, m as OrgTopicMessage),
        ),
      };
      this.consoles.set(orgId, consoles);
    }
    const entry = consoles;
    entry.sockets.add(ws);
    ws.on('close', () => {
      entry.sockets.delete(ws);
      if (entry.sockets.size === 0 && this.consoles.get(orgId) === entry) {
        this.consoles.delete(orgId);
        void entry.unsubscribe.then((unsubscribe) => unsubscribe());
      }
    });
    await entry.unsubscribe;
    send(ws, { type: 'ready' });
  }

  /** One read per change and process, however many consoles of the organisation are open here. */
  private async onOrgTopic(orgId: string, sockets: Set<WebSocket>, message: OrgTopicMessage) {
    let out: ConsoleMessage;
    if (message.kind === 'case.deleted') out = { type: 'case.deleted', code: message.code };
    else {
      const row = await this.cases.lookup(orgId, message.code);
      if (!row) return;
      out = {
        type: 'case.changed',
        case: presentCase(row, this.deps.clock.now(), this.deps.config.publicUrl),
        ...(message.created ? { created: true } : {}),
      };
    }
    const json = JSON.stringify(out);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(json);
  }

  /** Tells every partner the server is going away and records them as gone. */
  private async shutdown() {
    clearInterval(this.heartbeat);
    if (this.accessWatch) (await this.accessWatch)();
    const leaving: Promise<void>[] = [];
    for (const room of [...this.rooms.values()]) {
      for (const c of [...room.sockets.values()]) {
        c.ws.close(1001, 'server restarting');
        leaving.push(this.leave(room, c));
      }
    }
    for (const ws of this.sockets) ws.close(1001, 'server restarting');
    await Promise.all(leaving);
  }
}
