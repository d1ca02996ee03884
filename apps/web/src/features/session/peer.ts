import type { ClientMessage, IceServer } from '@lifeline/contracts';
import { CONTROL_CHANNEL, FILES_CHANNEL } from '@lifeline/contracts/constants';
import { withStartBitrate } from './start-bitrate.js';
import type { SignalMessage } from './useSessionSocket.js';

type Send = (m: ClientMessage) => void;

interface PeerOptions {
  iceServers: IceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
}

function candidateOf(e: RTCPeerConnectionIceEvent) {
  if (!e.candidate?.candidate) return undefined;
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = e.candidate.toJSON();
  return { candidate: candidate ?? '', sdpMid, sdpMLineIndex, usernameFragment };
}

/**
 * The customer's connection to one agent. It is set up (ICE, DTLS, a data
 * channel) while the customer reads the consent prompt, carrying no media, so
 * "Allow" only has to add the tracks. The customer always offers; the agent
 * answers, so offers never collide. `id` names this connection: a new one
 * tells the agent to start afresh.
 */
export class CustomerPeer {
  readonly id = crypto.randomUUID();
  private readonly pc: RTCPeerConnection;
  /** Offers, one after the other. */
  private queue: Promise<void> = Promise.resolve();
  /** The agent's answers and candidates: apart from the offers, because an offer waits for an answer. */
  private incoming: Promise<void> = Promise.resolve();
  private sharing: MediaStream | null = null;
  private files: RTCDataChannel | null = null;
  private closed = false;

  constructor(
    private readonly send: Send,
    readonly agentId: string,
    options: PeerOptions,
    /** The agent's own media (their voice in AR). */
    private readonly onRemoteStream: (stream: MediaStream | null) => void,
  ) {
    const pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      iceTransportPolicy: options.iceTransportPolicy ?? 'all',
    });
    pc.onicecandidate = (e) => {
      const candidate = candidateOf(e);
      if (candidate) this.send({ type: 'signal', to: agentId, peer: this.id, candidate });
    };
    pc.ontrack = (e) => this.onRemoteStream(e.streams[0] ?? new MediaStream([e.track]));
    // Something to negotiate without media: the connection is up before anything is shared.
    pc.createDataChannel('link');
    this.pc = pc;
    this.enqueue(() => this.offer());
  }

  /** After "Allow": adds the picture (and in AR the microphone) and offers again. Resolves once the offer is sent. */
  share(stream: MediaStream): Promise<void> {
    if (this.sharing === stream) return this.queue;
    this.sharing = stream;
    return this.enqueue(async () => {
      for (const track of stream.getTracks()) this.pc.addTrack(track, stream);
      await this.offer();
    });
  }

  /**
   * The channel for files, opened only once the customer allowed this agent: before that the agent
   * has nothing to send a file over. No new offer is needed, the connection already carries data.
   */
  openFiles(): RTCDataChannel | null {
    if (this.closed) return null;
    this.files ??= this.pc.createDataChannel(FILES_CHANNEL, { ordered: true });
    return this.files;
  }

  isSharing(stream: MediaStream | null) {
    return stream !== null && this.sharing === stream;
  }

  handle(m: SignalMessage) {
    if (m.peer !== this.id) return;
    this.incoming = this.incoming
      .then(async () => {
        if (m.description?.type === 'answer')
          await this.pc.setRemoteDescription({ type: 'answer', sdp: withStartBitrate(m.description.sdp) });
        else if (m.candidate) await this.pc.addIceCandidate(m.candidate);
      })
      .catch((err: unknown) => this.warn(err));
  }

  private async offer() {
    // A new offer waits for the answer to the last one: "Allow" may come before the agent answered.
    await this.stable();
    if (this.closed) return;
    await this.pc.setLocalDescription();
    const d = this.pc.localDescription;
    if (d?.type === 'offer') {
      this.send({
        type: 'signal',
        to: this.agentId,
        peer: this.id,
        description: { type: 'offer', sdp: d.sdp },
      });
    }
  }

  private stable() {
    const pc = this.pc;
    if (pc.signalingState === 'stable') return Promise.resolve();
    return new Promise<void>((resolve) => {
      const check = () => {
        if (pc.signalingState === 'stable' || pc.signalingState === 'closed') {
          pc.removeEventListener('signalingstatechange', check);
          resolve();
        }
      };
      pc.addEventListener('signalingstatechange', check);
    });
  }

  private enqueue(work: () => Promise<void>) {
    this.queue = this.queue.then(work).catch((err: unknown) => this.warn(err));
    return this.queue;
  }

  private warn(err: unknown) {
    if (!this.closed) console.warn('WebRTC signalling failed', err);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.pc.close();
    // Closing the connection closes its channels without an event (WebRTC spec): tell the files' users.
    this.files?.dispatchEvent(new Event('close'));
    this.onRemoteStream(null);
  }
}

/**
 * The agent's side: answers the customer's offers, one peer connection per
 * customer connection (`peer`). Before "Allow" it holds a connection without
 * any track; the picture arrives with the customer's next offer.
 */
/** What the agent's page does with the connection's media and channels. */
export interface AgentPeerListeners {
  onRemoteStream: (stream: MediaStream | null) => void;
  /** The desktop helper opens a data channel for remote control; the agent keeps it. */
  onDataChannel?: (channel: RTCDataChannel | null) => void;
  /** The customer's page opens one for files once it allowed this agent. */
  onFilesChannel?: (channel: RTCDataChannel | null) => void;
}

export class AgentPeer {
  private pc: RTCPeerConnection | undefined;
  private peerId: string | undefined;
  private remote: MediaStream | undefined;
  /** What was last told through the listeners, for listeners that come later. */
  private shown: {
    stream: MediaStream | null;
    control: RTCDataChannel | null;
    files: RTCDataChannel | null;
  } = { stream: null, control: null, files: null };
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: Send,
    private readonly options: PeerOptions,
    private listeners: AgentPeerListeners = { onRemoteStream: () => {} },
  ) {}

  /**
   * Hands the connection to the page that shows it: the page's code may load after the connection
   * was set up (the early session socket answers the customer at once), so what it missed is told now.
   */
  listen(listeners: AgentPeerListeners) {
    this.listeners = listeners;
    if (this.shown.stream) listeners.onRemoteStream(this.shown.stream);
    if (this.shown.control) listeners.onDataChannel?.(this.shown.control);
    if (this.shown.files) listeners.onFilesChannel?.(this.shown.files);
  }

  private showStream(stream: MediaStream | null) {
    this.shown.stream = stream;
    this.listeners.onRemoteStream(stream);
  }

  private showControl(channel: RTCDataChannel | null) {
    this.shown.control = channel;
    this.listeners.onDataChannel?.(channel);
  }

  private showFiles(channel: RTCDataChannel | null) {
    this.shown.files = channel;
    this.listeners.onFilesChannel?.(channel);
  }

  private create(peerId: string | undefined) {
    this.teardown();
    const pc = new RTCPeerConnection({
      iceServers: this.options.iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy ?? 'all',
    });
    pc.onicecandidate = (e) => {
      const candidate = candidateOf(e);
      if (candidate) this.send({ type: 'signal', ...(peerId ? { peer: peerId } : {}), candidate });
    };
    // Shown once the answer is on its way: rendering the video must not delay it.
    pc.ontrack = (e) => {
      this.remote = e.streams[0] ?? new MediaStream([e.track]);
    };
    pc.ondatachannel = (e) => {
      if (e.channel.label === CONTROL_CHANNEL) this.showControl(e.channel);
      if (e.channel.label === FILES_CHANNEL) this.showFiles(e.channel);
    };
    this.pc = pc;
    this.peerId = peerId;
    return pc;
  }

  /** The customer's signalling. An offer is answered, adding `local` (the microphone in AR) once media is offered. */
  handle(m: SignalMessage, local?: () => Promise<MediaStream | undefined>) {
    this.enqueue(async () => {
      if (m.description?.type === 'offer') {
        const pc = this.pc && m.peer !== undefined && m.peer === this.peerId ? this.pc : this.create(m.peer);
        await pc.setRemoteDescription(m.description);
        if (pc.getTransceivers().some((t) => t.receiver.track.kind === 'audio')) {
          const stream = await local?.();
          const sending = new Set(pc.getSenders().map((s) => s.track));
          for (const track of stream?.getTracks() ?? [])
            if (!sending.has(track)) pc.addTrack(track, stream as MediaStream);
        }
        await pc.setLocalDescription();
        const d = pc.localDescription;
        if (d?.type === 'answer') {
          this.send({
            type: 'signal',
            ...(this.peerId ? { peer: this.peerId } : {}),
            description: { type: 'answer', sdp: d.sdp },
          });
        }
        if (this.remote) this.showStream(this.remote);
      } else if (m.candidate && this.pc && (m.peer === undefined || m.peer === this.peerId)) {
        await this.pc.addIceCandidate(m.candidate);
      }
    });
  }

  private enqueue(work: () => Promise<void>) {
    this.queue = this.queue.then(work).catch((err: unknown) => console.warn('WebRTC signalling failed', err));
  }

  /**
   * Ends the connection from outside its signalling ("Deny", leaving the page). A call the closed
   * connection was in the middle of may never settle (Chromium left the answer to a denied offer
   * pending), so the signalling waiting on it is dropped: the customer's next offer, on a connection
   * of its own, must not wait behind it.
   */
  close() {
    this.queue = Promise.resolve();
    this.teardown();
  }

  private teardown() {
    if (!this.pc) return;
    this.pc.close();
    this.pc = undefined;
    this.peerId = undefined;
    this.remote = undefined;
    this.showStream(null);
    this.showControl(null);
    this.showFiles(null);
  }
}
