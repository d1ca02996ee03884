import { type ClientMessage, CONTROL_CHANNEL, type IceServer } from '@lifeline/contracts';
import type { SignalMessage } from './useSessionSocket.js';

/**
 * One side of the WebRTC connection. The customer always offers (and only
 * after "Allow"); the agent answers, so there is never an offer collision.
 * Signals are handled one at a time: a candidate must wait for its offer.
 */
export class PeerLink {
  private pc: RTCPeerConnection | undefined;
  private remote: MediaStream | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (m: ClientMessage) => void,
    private readonly iceServers: IceServer[],
    private readonly onRemoteStream: (stream: MediaStream | null) => void,
    private readonly iceTransportPolicy: RTCIceTransportPolicy = 'all',
    /** The desktop helper opens a data channel for remote control; the agent keeps it. */
    private readonly onDataChannel?: (channel: RTCDataChannel | null) => void,
  ) {}

  private create() {
    this.close();
    const pc = new RTCPeerConnection({
      iceServers: this.iceServers,
      iceTransportPolicy: this.iceTransportPolicy,
    });
    pc.onicecandidate = (e) => {
      if (e.candidate?.candidate) {
        const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = e.candidate.toJSON();
        this.send({
          type: 'signal',
          candidate: { candidate: candidate ?? '', sdpMid, sdpMLineIndex, usernameFragment },
        });
      }
    };
    // Shown once the description is on its way: rendering the video must not delay the answer.
    pc.ontrack = (e) => {
      this.remote = e.streams[0] ?? new MediaStream([e.track]);
    };
    pc.ondatachannel = (e) => {
      if (e.channel.label === CONTROL_CHANNEL) this.onDataChannel?.(e.channel);
    };
    this.pc = pc;
    return pc;
  }

  /** Customer: sends `stream` to the agent. Resolves once the offer is sent. */
  offer(stream: MediaStream): Promise<void> {
    return this.enqueue(async () => {
      const pc = this.create();
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      await pc.setLocalDescription();
      this.sendDescription(pc);
    });
  }

  /** Both: the other side's signalling. The agent answers an offer, adding `local` (its microphone) if given. */
  handle(m: SignalMessage, local?: () => Promise<MediaStream | undefined>) {
    this.enqueue(async () => {
      if (m.description?.type === 'offer') {
        const pc = this.create();
        await pc.setRemoteDescription(m.description);
        const stream = await local?.();
        for (const track of stream?.getTracks() ?? []) pc.addTrack(track, stream as MediaStream);
        await pc.setLocalDescription();
        this.sendDescription(pc);
        this.showRemote();
      } else if (m.description?.type === 'answer') {
        await this.pc?.setRemoteDescription(m.description);
        this.showRemote();
      } else if (m.candidate && this.pc) {
        await this.pc.addIceCandidate(m.candidate);
      }
    });
  }

  private sendDescription(pc: RTCPeerConnection) {
    const d = pc.localDescription;
    if (d && (d.type === 'offer' || d.type === 'answer')) {
      this.send({ type: 'signal', description: { type: d.type, sdp: d.sdp } });
    }
  }

  private showRemote() {
    if (this.remote) this.onRemoteStream(this.remote);
  }

  private enqueue(work: () => Promise<void>) {
    this.queue = this.queue.then(work).catch((err: unknown) => console.warn('WebRTC signalling failed', err));
    return this.queue;
  }

  close() {
    if (!this.pc) return;
    this.pc.close();
    this.pc = undefined;
    this.remote = undefined;
    this.onRemoteStream(null);
    this.onDataChannel?.(null);
  }
}
