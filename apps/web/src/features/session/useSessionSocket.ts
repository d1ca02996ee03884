import type {
  Annotation,
  CaseStatus,
  ChatEntry,
  ClientMessage,
  ConsentState,
  ControlState,
  CustomerDevice,
  EndReason,
  HelperDesktop,
  Point,
  Presence,
  ServerMessage,
  SharingState,
} from '@lifeline/contracts';
import { closeCodes } from '@lifeline/contracts/constants';
import { useCallback, useEffect, useRef, useState } from 'react';
import { adoptEarlySessionSocket, type SessionTarget, sessionSocketUrl } from './early-session.js';

export type Welcome = Extract<ServerMessage, { type: 'welcome' }>;
export type SignalMessage = Extract<ServerMessage, { type: 'signal' }>;

export interface SessionState {
  connection: 'connecting' | 'open' | 'reconnecting' | 'closed';
  welcome: Welcome | undefined;
  presence: Presence;
  status: CaseStatus | undefined;
  /** The customer's answer to the consent prompt, as the hub knows it. */
  consent: ConsentState;
  sharing: SharingState;
  /**
   * Remote control as the customer's desktop helper reports it; null while
   * the customer cannot be controlled (joined in the browser, or not sharing).
   */
  control: ControlState | null;
  /** The desktop the helper runs on, as it last said. */
  desktop: HelperDesktop | undefined;
  /** What the customer joined the browser session with, as their page last said (agents). */
  customerDevice: CustomerDevice | undefined;
  chat: ChatEntry[];
  annotations: Annotation[];
  pointer: Point | null;
  /** The frozen picture (a data URL) both sides show, or null while the video runs. */
  frozen: string | null;
  ended: EndReason | undefined;
  /** Why the hub refused the socket (unknown link, not signed in, …). */
  refused: 'not_found' | 'unauthenticated' | 'forbidden' | undefined;
  lastError: string | undefined;
}

const initial: SessionState = {
  connection: 'connecting',
  welcome: undefined,
  presence: { agent: false, customer: false, agentName: null, agents: [] },
  status: undefined,
  consent: 'pending',
  sharing: 'off',
  control: null,
  desktop: undefined,
  customerDevice: undefined,
  chat: [],
  annotations: [],
  pointer: null,
  frozen: null,
  ended: undefined,
  refused: undefined,
  lastError: undefined,
};

function reduce(state: SessionState, m: ServerMessage): SessionState {
  switch (m.type) {
    case 'welcome':
      return {
        ...state,
        connection: 'open',
        welcome: m,
        presence: m.presence,
        status: m.session.status,
        consent: m.consent,
        sharing: m.sharing,
        control: null,
      };
    case 'presence':
      return { ...state, presence: m.presence, control: m.presence.customer ? state.control : null };
    case 'status':
      return { ...state, status: m.status };
    case 'consent':
      return { ...state, consent: m.state };
    case 'sharing':
      return { ...state, sharing: m.state, control: m.state === 'off' ? null : state.control };
    case 'control-state':
      return { ...state, control: m.state, desktop: m.desktop ?? state.desktop };
    case 'device':
      return { ...state, customerDevice: m.kind };
    case 'chat':
      return { ...state, chat: [...state.chat, m] };
    case 'annotate':
      return { ...state, annotations: [...state.annotations, m.annotation] };
    case 'clear-annotations':
      return { ...state, annotations: [] };
    case 'pointer':
      return { ...state, pointer: m.at };
    case 'freeze':
      // A freeze without its picture (an older page) holds nothing still: both sides must show the same.
      return { ...state, frozen: m.frozen ? (m.frame ?? null) : null };
    case 'ended':
      return { ...state, ended: m.reason };
    case 'error':
      return { ...state, lastError: m.message };
    case 'signal':
    case 'control':
      return state;
  }
}

/** Every message type the hub sends; the record's type holds this list equal to the contract's union. */
const serverTypes: Record<ServerMessage['type'], true> = {
  welcome: true,
  presence: true,
  status: true,
  consent: true,
  sharing: true,
  device: true,
  signal: true,
  chat: true,
  pointer: true,
  annotate: true,
  'clear-annotations': true,
  freeze: true,
  control: true,
  'control-state': true,
  ended: true,
  error: true,
};

/**
 * A message of the page's own server, checked by shape only (an object with a known `type`): the hub
 * builds every message from the contract's schemas and checks what it relays, and parsing them again
 * here would put zod into the bundle the customer's page loads first.
 */
function serverMessageOf(data: string): ServerMessage | undefined {
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const type = (m as { type?: unknown }).type;
  return typeof type === 'string' && Object.hasOwn(serverTypes, type) ? (m as ServerMessage) : undefined;
}

const refusals: Record<number, SessionState['refused']> = {
  [closeCodes.notFound]: 'not_found',
  [closeCodes.unauthenticated]: 'unauthenticated',
  [closeCodes.forbiddenOrigin]: 'forbidden',
};

/**
 * One live session socket: its state for rendering, `send` for messages, and
 * `onSignal` for the WebRTC code. A dropped connection is retried with
 * exponential backoff and jitter, so many clients do not return at once.
 */
export function useSessionSocket(target: SessionTarget | null, me: 'agent' | 'customer') {
  const [state, setState] = useState<SessionState>(initial);
  const socket = useRef<Pick<WebSocket, 'readyState' | 'send' | 'close'> | null>(null);
  // Signals that come before the WebRTC code listens (the customer offers as soon as the agent is there) wait for it.
  const early = useRef<SignalMessage[]>([]);
  const signalHandler = useRef<((m: SignalMessage) => void) | null>(null);
  /** The person ended the session: the socket stays closed until they choose to join again. */
  const left = useRef(false);
  const url = target ? sessionSocketUrl(target) : null;

  useEffect(() => {
    if (!url) return;
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    setState(initial);

    const connect = () => {
      const line = adoptEarlySessionSocket(url);
      const ws = line ?? new WebSocket(url);
      socket.current = ws;
      const onMessage = (event: MessageEvent) => {
        const m = serverMessageOf(String(event.data));
        if (!m) return;
        if (m.type === 'welcome') {
          attempt = 0;
          early.current = [];
        }
        if (m.type === 'signal') {
          if (signalHandler.current) signalHandler.current(m);
          else early.current.push(m);
        }
        setState((s) => reduce(s, m));
      };
      const onClose = (event: CloseEvent) => {
        if (socket.current === ws) socket.current = null;
        if (stopped || left.current) return;
        const refused = refusals[event.code];
        if (refused) return setState((s) => ({ ...s, connection: 'closed', refused }));
        if (event.code === closeCodes.gone || event.code === closeCodes.ended) {
          return setState((s) => ({ ...s, connection: 'closed', ended: s.ended ?? 'closed' }));
        }
        const delay = Math.min(10_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
        attempt += 1;
        setState((s) => ({ ...s, connection: 'reconnecting' }));
        retry = setTimeout(connect, delay);
      };
      if (ws instanceof WebSocket) {
        ws.onmessage = onMessage;
        ws.onclose = onClose;
      } else ws.listen(onMessage, onClose);
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket.current?.close(1000, 'left');
      socket.current = null;
    };
  }, [url]);

  const send = useCallback((m: ClientMessage) => {
    const ws = socket.current;
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  }, []);

  /** Chat and drawings are relayed to the other side only, so the sender keeps its own copy. */
  const sendChat = useCallback(
    (text: string, name: string) => {
      send({ type: 'chat', text });
      const entry: ChatEntry = { type: 'chat', from: me, name, text, at: new Date().toISOString() };
      setState((s) => ({ ...s, chat: [...s.chat, entry] }));
    },
    [send, me],
  );
  const annotate = useCallback(
    (annotation: Annotation) => {
      send({ type: 'annotate', annotation });
      setState((s) => ({ ...s, annotations: [...s.annotations, annotation] }));
    },
    [send],
  );
  const clearAnnotations = useCallback(() => {
    send({ type: 'clear-annotations' });
    setState((s) => ({ ...s, annotations: [] }));
  }, [send]);
  /** Freezes on `frame` (the picture taken from the agent's video), or runs the video again (null). */
  const setFrozen = useCallback(
    (frame: string | null) => {
      send(frame ? { type: 'freeze', frozen: true, frame } : { type: 'freeze', frozen: false });
      setState((s) => ({ ...s, frozen: frame }));
    },
    [send],
  );
  const leave = useCallback(() => {
    left.current = true;
    const ws = socket.current;
    socket.current = null;
    ws?.close(1000, 'left');
    setState((s) => ({ ...s, connection: 'closed' }));
  }, []);
  const onSignal = useCallback((handler: (m: SignalMessage) => void) => {
    signalHandler.current = handler;
    const waiting = early.current;
    early.current = [];
    for (const m of waiting) handler(m);
  }, []);

  return { state, send, sendChat, annotate, clearAnnotations, setFrozen, leave, onSignal };
}

export type SessionSocket = ReturnType<typeof useSessionSocket>;
