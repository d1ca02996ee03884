import type { ClientMessage, ServerMessage } from '@lifeline/contracts';
import { AgentPeer } from './peer.js';

/**
 * The agent's session, started as soon as the page's entry code runs: the socket joins at once, so
 * the customer's consent prompt does not wait for the staff app's chunks and first render; and the
 * connection the customer prepares while deciding is answered at once, so "Allow" finds it set up.
 * useSessionSocket adopts the socket and AgentSession the connection, with what they missed.
 */
export type SessionTarget = { token: string } | { caseCode: string };

export function sessionSocketUrl(target: SessionTarget) {
  const base = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws/session`;
  return 'token' in target
    ? `${base}?token=${encodeURIComponent(target.token)}`
    : `${base}?case=${encodeURIComponent(target.caseCode)}`;
}

type Signal = Extract<ServerMessage, { type: 'signal' }>;

export interface EarlySocket {
  ws: WebSocket;
  /** What arrived before the page took the socket over, in order, but the signals the early connection took. */
  received: MessageEvent[];
  /** Set if the socket closed before it was taken over. */
  closed: CloseEvent | null;
}

interface EarlyPeer {
  /** The welcome's `you`: the connection belongs to that socket's session. */
  you: string;
  peer: AgentPeer;
  /** Offers asking for the agent's own media (the microphone in AR), answered once the page can ask for it. */
  held: Signal[];
}

function messageOf(event: MessageEvent): ServerMessage | undefined {
  try {
    return JSON.parse(String(event.data)) as ServerMessage;
  } catch {
    // useSessionSocket reports what it cannot read.
    return undefined;
  }
}

let waiting: { url: string; socket: EarlySocket } | null = null;
let earlyPeer: EarlyPeer | null = null;

/** The agent client's path (`links.agent`): opens its socket now. */
export function openEarlySessionSocket(pathname: string) {
  const match = /^\/session\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return;
  const url = sessionSocketUrl({ caseCode: decodeURIComponent(match[1]) });
  const ws = new WebSocket(url);
  const socket: EarlySocket = { ws, received: [], closed: null };
  const send = (m: ClientMessage) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  };
  ws.onmessage = (event) => {
    const m = messageOf(event);
    if (m?.type === 'welcome' && m.role === 'agent' && !earlyPeer) {
      const options = { iceServers: m.iceServers, iceTransportPolicy: m.iceTransportPolicy };
      earlyPeer = { you: m.you, peer: new AgentPeer(send, options), held: [] };
    } else if (m?.type === 'signal' && earlyPeer) {
      if (m.description?.type === 'offer' && /^m=audio /m.test(m.description.sdp)) earlyPeer.held.push(m);
      else earlyPeer.peer.handle(m);
      return;
    }
    socket.received.push(event);
  };
  ws.onclose = (event) => {
    socket.closed = event;
    earlyPeer?.peer.close();
    earlyPeer = null;
  };
  waiting = { url, socket };
}

/** The early socket to `url`, once: a reconnect opens a socket of its own. */
export function adoptEarlySessionSocket(url: string): EarlySocket | null {
  if (waiting?.url !== url) return null;
  const { socket } = waiting;
  waiting = null;
  return socket;
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
