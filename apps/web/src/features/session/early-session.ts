import type { ClientMessage, JoinMessage, ServerMessage } from '@lifeline/contracts';
import { closeCodes } from '@lifeline/contracts/constants';
import { AgentPeer } from './peer.js';

/**
 * The agent's session, started before the agent client renders.
 *
 * "Connect" in the queue opens the session socket in the queue's own page at the click, so the
 * customer is asked while the browser is still creating the agent's tab; the tab, opened with its
 * opener, takes that socket over from the entry code and then moves the connection to a socket of
 * its own (`resume`: the same connection, the customer's answer kept), so closing the queue later
 * does not end the session. Opened any other way, the tab opens its socket from the entry code.
 * Either way the customer's data-only connection is answered at once, so "Allow" finds it set up;
 * useSessionSocket adopts the line and AgentSession the connection, with what they missed.
 */
export type SessionTarget = { token: string } | { caseCode: string };

export function sessionSocketUrl(target: SessionTarget) {
  const base = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws/session`;
  return 'token' in target
    ? `${base}?token=${encodeURIComponent(target.token)}`
    : `${base}?case=${encodeURIComponent(target.caseCode)}`;
}

type Signal = Extract<ServerMessage, { type: 'signal' }>;

/** A socket the queue opened on "Connect", with what it received until the agent's tab took it. */
interface HandedSocket {
  ws: WebSocket;
  received: MessageEvent[];
  closed: CloseEvent | null;
}

declare global {
  interface Window {
    /** The queue's socket to the case, once, for the agent's tab it opened (`window.opener`). */
    lifelineTakeSession?: (caseCode: string) => HandedSocket | null;
  }
}

/** A handed socket nobody took (the tab was blocked or closed at once) leaves the session by then. */
const HANDOVER_MS = 10_000;
const handovers = new Map<string, HandedSocket>();

/**
 * "Connect" (queue side): joins the session from this page now, for the agent's tab to take over.
 * Only for a link to this origin: another origin's tab cannot reach this page.
 */
export function handOverSession(agentLink: string) {
  const link = new URL(agentLink, window.location.href);
  const caseCode = link.origin === window.location.origin ? caseCodeOf(link.pathname) : undefined;
  if (!caseCode) return;
  handovers.get(caseCode)?.ws.close(1000, 'not taken');
  const ws = new WebSocket(sessionSocketUrl({ caseCode }));
  const handed: HandedSocket = { ws, received: [], closed: null };
  ws.onmessage = (event) => handed.received.push(event);
  ws.onclose = (event) => {
    handed.closed = event;
  };
  handovers.set(caseCode, handed);
  window.lifelineTakeSession = takeSession;
  setTimeout(() => {
    if (handovers.get(caseCode) !== handed) return;
    handovers.delete(caseCode);
    ws.close(1000, 'not taken');
  }, HANDOVER_MS);
}

function takeSession(caseCode: string): HandedSocket | null {
  const handed = handovers.get(caseCode);
  handovers.delete(caseCode);
  return handed ?? null;
}

/** The socket the opener (the queue) opened for this case, if it is ours and still open. */
function takeFromOpener(caseCode: string): HandedSocket | null {
  try {
    const handed = (window.opener as Window | null)?.lifelineTakeSession?.(caseCode) ?? null;
    return handed && !handed.closed ? handed : null;
  } catch {
    // An opener of another origin: nothing to take.
    return null;
  }
}

function caseCodeOf(pathname: string) {
  const match = /^\/session\/([^/]+)\/?$/.exec(pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

function messageOf(event: MessageEvent): ServerMessage | undefined {
  try {
    return JSON.parse(String(event.data)) as ServerMessage;
  } catch {
    // useSessionSocket reports what it cannot read.
    return undefined;
  }
}

/** `ws`, no longer heard. */
function detach(ws: WebSocket) {
  ws.onmessage = null;
  ws.onclose = null;
  return ws;
}

/** What the agent's early code does with the line's messages and its end, before the page listens. */
interface LineHooks {
  /** True if the message was taken (a signal for the early connection): the page does not see it. */
  take(m: ServerMessage, line: EarlyLine): boolean;
  closed(line: EarlyLine): void;
}

/**
 * A session socket opened before the page that uses it, as useSessionSocket uses a WebSocket: what
 * arrives waits until the page listens, and a connection moving to the tab's own socket is one
 * line throughout.
 */
export class EarlyLine {
  private received: MessageEvent[] = [];
  private closedWith: CloseEvent | null = null;
  private listeners: { message: (e: MessageEvent) => void; close: (e: CloseEvent) => void } | null = null;
  /** What the page sends while the connection moves, sent on the new socket once it is there. */
  private held: string[] | null = null;
  /** The socket the connection is moving to. */
  private next: WebSocket | null = null;
  /** The old socket's close when the server moved the connection away from it. */
  private movedAway: CloseEvent | null = null;
  /** The welcome's `you`: whose connection this line is. */
  you: string | undefined;
  /** Set for a socket taken from the queue: the connection moves to a socket of this tab, once. */
  private moveTo: ((you: string) => string) | undefined;
  /** A customer's socket opened ahead (`&standby`): it joins when the page takes it. */
  private readonly standby: boolean;
  private readonly hooks: LineHooks | undefined;

  constructor(
    private ws: WebSocket,
    readonly url: string,
    options: { moveTo?: (you: string) => string; standby?: boolean; hooks?: LineHooks } = {},
  ) {
    this.moveTo = options.moveTo;
    this.standby = options.standby ?? false;
    this.hooks = options.hooks;
    this.attach(ws);
  }

  get readyState() {
    return this.held ? WebSocket.OPEN : this.ws.readyState;
  }

  send(data: string) {
    if (this.held) this.held.push(data);
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  close(code?: number, reason?: string) {
    this.ws.close(code, reason);
    this.next?.close(code, reason);
  }

  /** The page takes over: what arrived so far, then everything as it arrives. */
  listen(message: (e: MessageEvent) => void, close: (e: CloseEvent) => void) {
    this.listeners = { message, close };
    if (this.standby) this.join();
    const waiting = this.received;
    this.received = [];
    for (const event of waiting) message(event);
    if (this.closedWith) close(this.closedWith);
  }

  /** Closes `ws` if the line still uses it. */
  releaseOpenersSocket(ws: WebSocket) {
    if (this.ws === ws) ws.close(1000, 'tab closed');
  }

  closedInStandby() {
    return this.standby && this.closedWith !== null;
  }

  private join() {
    const ws = this.ws;
    const join = () => ws.send(JSON.stringify({ type: 'join' } satisfies JoinMessage));
    if (ws.readyState === WebSocket.OPEN) join();
    else if (ws.readyState === WebSocket.CONNECTING) ws.addEventListener('open', join, { once: true });
  }

  /** Replays what the queue's socket received before the tab took it. */
  replay(events: MessageEvent[]) {
    for (const event of events) this.inbound(event);
  }

  private attach(ws: WebSocket) {
    ws.onmessage = (event) => this.inbound(event);
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      // The server took the connection to the new socket, whose welcome is on its way.
      if (event.code === closeCodes.moved) {
        this.movedAway = event;
        return;
      }
      this.ended(event);
    };
  }

  private ended(event: CloseEvent) {
    this.closedWith = event;
    this.hooks?.closed(this);
    this.listeners?.close(event);
  }

  private inbound(event: MessageEvent) {
    const m = messageOf(event);
    if (m?.type === 'welcome' && !this.you) {
      this.you = m.you;
      if (this.moveTo) this.move(this.moveTo(m.you));
      this.moveTo = undefined;
    }
    if (m && this.hooks?.take(m, this)) return;
    if (this.listeners) this.listeners.message(event);
    else this.received.push(event);
  }

  /**
   * Moves the connection to a socket of this page. Until its welcome, what the page sends waits:
   * the server closes the old socket the moment the new one holds the connection.
   */
  private move(url: string) {
    const next = new WebSocket(url);
    this.next = next;
    this.held = [];
    const settle = (moved: boolean) => {
      const held = this.held ?? [];
      this.held = null;
      this.next = null;
      if (moved) {
        this.ws = next;
        this.attach(next);
      }
      for (const data of held) this.send(data);
    };
    next.onmessage = (event) => {
      const m = messageOf(event);
      // Moved: what the old socket still delivers before the server's close is the connection's too.
      if (m?.type === 'welcome' && m.you === this.you) return settle(true);
      // Not moved (the queue's socket closed meanwhile): a connection of its own, as after a
      // reconnect; the old socket, replaced by it, has nothing more to say.
      detach(this.ws);
      settle(true);
      this.you = undefined;
      this.inbound(event);
    };
    next.onclose = (event) => {
      if (!this.held) return;
      // The move failed. The old socket is the queue's: the page goes on with a socket of its own
      // (useSessionSocket reconnects), not with one that a closed queue takes along.
      detach(this.ws).close(1000, 'not moved');
      settle(false);
      this.ended(this.movedAway ?? event);
    };
  }
}

let waiting: EarlyLine | null = null;

interface EarlyPeer {
  line: EarlyLine;
  /** The welcome's `you`: the connection belongs to that socket's session. */
  you: string;
  peer: AgentPeer;
  /** Offers asking for the agent's own media (the microphone in AR), answered once the page can ask for it. */
  held: Signal[];
}
let earlyPeer: EarlyPeer | null = null;

/** The agent's early connection: it answers the customer's offers while the page loads. */
const answerEarly: LineHooks = {
  take(m, line) {
    if (m.type === 'welcome' && m.role === 'agent' && !earlyPeer) {
      const options = { iceServers: m.iceServers, iceTransportPolicy: m.iceTransportPolicy };
      const send = (out: ClientMessage) => line.send(JSON.stringify(out));
      earlyPeer = { line, you: m.you, peer: new AgentPeer(send, options), held: [] };
      return false;
    }
    if (m.type !== 'signal' || earlyPeer?.line !== line || earlyPeer.you !== line.you) return false;
    if (m.description?.type === 'offer' && /^m=audio /m.test(m.description.sdp)) earlyPeer.held.push(m);
    else earlyPeer.peer.handle(m);
    return true;
  },
  closed(line) {
    if (earlyPeer?.line !== line) return;
    earlyPeer.peer.close();
    earlyPeer = null;
  },
};

/** The agent client's path (`links.agent`): takes the queue's socket to the case, or opens one now. */
export function openEarlySessionSocket(pathname: string) {
  const caseCode = caseCodeOf(pathname);
  if (!caseCode) return;
  const url = sessionSocketUrl({ caseCode });
  const handed = takeFromOpener(caseCode);
  if (handed) {
    const line = new EarlyLine(handed.ws, url, {
      moveTo: (you) => `${url}&resume=${encodeURIComponent(you)}`,
      hooks: answerEarly,
    });
    waiting = line;
    line.replay(handed.received);
    // The queue's socket outlives this tab: closing the tab must close it, if the move has not yet.
    window.addEventListener('pagehide', () => line.releaseOpenersSocket(handed.ws), { once: true });
  } else {
    waiting = new EarlyLine(new WebSocket(url), url, { hooks: answerEarly });
  }
}

/**
 * The customer's invitation, while it shows the choice to join: the session socket opens now in
 * standby (nobody sees the customer, nothing is recorded), so "Join in browser" sends one message
 * instead of opening a connection (on a phone network two or three round trips).
 */
export function openStandbySocket(token: string) {
  const url = sessionSocketUrl({ token });
  if (waiting?.url === url) return;
  waiting?.close(1000, 'another session');
  waiting = new EarlyLine(new WebSocket(`${url}&standby`), url, { standby: true });
}

/** The early line to `url`, once: a reconnect opens a socket of its own. */
export function adoptEarlySessionSocket(url: string): EarlyLine | null {
  if (waiting?.url !== url) return null;
  const line = waiting;
  waiting = null;
  // A standby socket that closed while the customer chose (a server restart) had nothing to say: join afresh now.
  return line.closedInStandby() ? null : line;
}

/** The connection the early socket set up for the session that welcomed `you`, once. */
export function adoptEarlyAgentPeer(you: string): { peer: AgentPeer; held: Signal[] } | null {
  if (!earlyPeer) return null;
  if (earlyPeer.you !== you) {
    // Its socket closed before the page took it over: the page's new session has its own connection.
    earlyPeer.peer.close();
    earlyPeer = null;
    return null;
  }
  const { peer, held } = earlyPeer;
  earlyPeer = null;
  return { peer, held };
}
