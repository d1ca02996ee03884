import type { FileMessage, TransferReport } from '@lifeline/contracts';
import { readFileMessage } from '@lifeline/contracts/constants';
import { formatBytes } from '../../lib/format.js';

/**
 * One end of the `files` data channel (protocol in packages/contracts/src/files.ts).
 * Both pages use it: the agent's with the one channel the customer opened to
 * it, the customer's with one per allowed agent. Nothing here touches the
 * server; the bytes go from one browser to the other.
 */

/** Bytes per binary frame: well under every browser's SCTP message limit. */
export const CHUNK_BYTES = 64 * 1024;
/** The file is read from disk this much at a time, then cut into chunks. */
const READ_BYTES = 1024 * 1024;
/** Back-pressure: stop sending above this much queued in the channel, go on once it drained below LOW_WATER. */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 2 * 1024 * 1024;
/** Progress reaches the page at most this often: a re-render per chunk would slow the transfer down. */
const PROGRESS_MS = 100;

export type TransferState =
  /** Outgoing: waiting for the other side to accept. Incoming: waiting for this side to decide. */
  | 'offered'
  | 'moving'
  /** Outgoing: every byte handed to the channel, waiting for the receiver to confirm. */
  | 'sent'
  | 'done'
  | 'declined'
  | 'too-large'
  | 'cancelled'
  | 'failed';

export interface Transfer {
  id: string;
  direction: 'out' | 'in';
  name: string;
  size: number;
  type: string;
  state: TransferState;
  /** Bytes handed to the channel (outgoing) or received (incoming). */
  bytes: number;
  /** Who cancelled: this side or the other. */
  cancelledBy?: 'me' | 'peer';
  /** An incoming file, complete: a blob: URL to save it from. */
  url?: string;
  /** The answer to a request of this side. */
  replyTo?: string;
}

export interface FileRequest {
  id: string;
  /** Asked by this side, or by the other. */
  direction: 'out' | 'in';
  state: 'open' | 'answered' | 'declined' | 'cancelled';
}

export interface FileLinkSnapshot {
  open: boolean;
  transfers: readonly Transfer[];
  requests: readonly FileRequest[];
}

/** States a transfer does not leave. */
const SETTLED = new Set<TransferState>(['done', 'declined', 'too-large', 'cancelled', 'failed']);

/** A settled transfer as the agent's page reports it to the audit trail (this side is the agent's). */
export function agentTransferReport(t: Transfer): TransferReport {
  const result =
    t.state === 'done'
      ? 'delivered'
      : t.state === 'too-large'
        ? 'too_large'
        : (t.state as 'declined' | 'cancelled' | 'failed');
  return {
    kind: 'file',
    direction: t.direction === 'out' ? 'to_customer' : 'from_customer',
    result,
    ...(t.state === 'cancelled' ? { cancelledBy: t.cancelledBy === 'me' ? 'agent' : 'customer' } : {}),
    name: t.name,
    bytes: t.size,
  };
}

/** A file too large for the limit, refused before anything is sent. */
export class FileTooLargeError extends Error {
  constructor(name: string, size: number, maxBytes: number) {
    super(`“${name}” is ${formatBytes(size)}: files up to ${formatBytes(maxBytes)} can be sent.`);
  }
}

interface Outgoing {
  file: Blob;
}
interface Incoming {
  chunks: ArrayBuffer[];
}

export class FileLink {
  private snapshot: FileLinkSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly incoming = new Map<string, Incoming>();
  /** Accepted outgoing files, sent one after the other. */
  private readonly sendQueue: string[] = [];
  private sending = false;
  /** The incoming file whose bytes the binary frames are (after its `begin`). */
  private receiving: string | null = null;
  private progressTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Transfers already told to `onSettled`. */
  private readonly told = new Set<string>();

  constructor(
    readonly channel: RTCDataChannel,
    readonly maxBytes: number,
    /** Told once of each transfer when it settles (delivered, declined, cancelled, failed). */
    private readonly onSettled?: (t: Transfer) => void,
  ) {
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = LOW_WATER;
    this.snapshot = { open: channel.readyState === 'open', transfers: [], requests: [] };
    channel.addEventListener('open', () => this.set({ open: true }));
    channel.addEventListener('close', () => this.close());
    channel.addEventListener('message', (e: MessageEvent) => this.receive(e.data));
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  /** Offers `file` to the other side; throws FileTooLargeError before sending anything if it is over the limit. */
  send(file: File, replyTo?: string): string {
    if (file.size > this.maxBytes) throw new FileTooLargeError(file.name, file.size, this.maxBytes);
    const id = crypto.randomUUID();
    this.outgoing.set(id, { file });
    const transfer: Transfer = {
      id,
      direction: 'out',
      name: file.name,
      size: file.size,
      type: file.type,
      state: 'offered',
      bytes: 0,
      ...(replyTo ? { replyTo } : {}),
    };
    this.set({ transfers: [...this.snapshot.transfers, transfer] });
    if (replyTo) this.updateRequest(replyTo, 'answered');
    this.post({
      t: 'offer',
      id,
      name: file.name,
      size: file.size,
      type: file.type,
      ...(replyTo ? { replyTo } : {}),
    });
    return id;
  }

  accept(id: string) {
    const t = this.find(id);
    if (t?.direction !== 'in' || t.state !== 'offered') return;
    this.incoming.set(id, { chunks: [] });
    this.update(id, { state: 'moving' });
    this.post({ t: 'accept', id });
  }

  decline(id: string) {
    const t = this.find(id);
    if (t?.direction !== 'in' || t.state !== 'offered') return;
    this.update(id, { state: 'declined' });
    this.post({ t: 'decline', id });
  }

  cancel(id: string) {
    const t = this.find(id);
    if (!t || !['offered', 'moving', 'sent'].includes(t.state)) return;
    this.stop(id, 'me');
    this.post({ t: 'cancel', id });
  }

  /** Asks the other side to pick a file. */
  request(): string {
    const id = crypto.randomUUID();
    this.set({ requests: [...this.snapshot.requests, { id, direction: 'out', state: 'open' }] });
    this.post({ t: 'request', id });
    return id;
  }

  declineRequest(id: string) {
    const r = this.snapshot.requests.find((x) => x.id === id);
    if (r?.direction !== 'in' || r.state !== 'open') return;
    this.updateRequest(id, 'declined');
    this.post({ t: 'request-declined', id });
  }

  /** The channel is gone: whatever was under way failed, and received files stay saveable. */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.sendQueue.length = 0;
    this.incoming.clear();
    this.outgoing.clear();
    this.receiving = null;
    this.set({
      open: false,
      transfers: this.snapshot.transfers.map((t) =>
        ['offered', 'moving', 'sent'].includes(t.state) ? { ...t, state: 'failed' as const } : t,
      ),
      requests: this.snapshot.requests.map((r) =>
        r.state === 'open' ? { ...r, state: 'cancelled' as const } : r,
      ),
    });
    if (this.channel.readyState !== 'closed') this.channel.close();
  }

  /** Frees the received files' memory (the page goes away). */
  dispose() {
    this.close();
    for (const t of this.snapshot.transfers) if (t.url) URL.revokeObjectURL(t.url);
  }

  private receive(data: unknown) {
    if (this.closed) return;
    if (typeof data !== 'string') return this.receiveBytes(data as ArrayBuffer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const m = readFileMessage(parsed);
    if (m) this.handle(m);
  }

  private handle(m: FileMessage) {
    const t = this.find(m.id);
    switch (m.t) {
      case 'offer': {
        if (t) return;
        const asked = m.replyTo
          ? this.snapshot.requests.find(
              (r) => r.id === m.replyTo && r.direction === 'out' && r.state === 'open',
            )
          : undefined;
        const transfer: Transfer = {
          id: m.id,
          direction: 'in',
          name: m.name,
          size: m.size,
          type: m.type,
          state: 'offered',
          bytes: 0,
          ...(asked ? { replyTo: asked.id } : {}),
        };
        this.set({ transfers: [...this.snapshot.transfers, transfer] });
        if (m.size > this.maxBytes) {
          this.update(m.id, { state: 'too-large' });
          this.post({ t: 'decline', id: m.id, tooLarge: true });
        } else if (asked) {
          // This side asked for a file: the answer is taken without asking again.
          this.updateRequest(asked.id, 'answered');
          this.accept(m.id);
        }
        return;
      }
      case 'accept':
        if (t?.direction === 'out' && t.state === 'offered') {
          this.update(m.id, { state: 'moving' });
          this.sendQueue.push(m.id);
          void this.pump();
        }
        return;
      case 'decline':
        if (t?.direction === 'out' && t.state === 'offered') {
          this.outgoing.delete(m.id);
          this.update(m.id, { state: m.tooLarge ? 'too-large' : 'declined' });
        }
        return;
      case 'begin':
        if (t?.direction === 'in' && t.state === 'moving') this.receiving = m.id;
        else this.receiving = null;
        return;
      case 'end':
        if (this.receiving === m.id) this.receiving = null;
        if (t?.direction === 'in' && t.state === 'moving') this.finish(t);
        return;
      case 'received':
        if (t?.direction === 'out' && t.state === 'sent') this.update(m.id, { state: 'done' });
        return;
      case 'cancel':
        if (t && ['offered', 'moving', 'sent'].includes(t.state)) this.stop(m.id, 'peer');
        return;
      case 'request':
        if (!this.snapshot.requests.some((r) => r.id === m.id))
          this.set({ requests: [...this.snapshot.requests, { id: m.id, direction: 'in', state: 'open' }] });
        return;
      case 'request-declined': {
        const r = this.snapshot.requests.find((x) => x.id === m.id);
        if (r?.direction === 'out' && r.state === 'open') this.updateRequest(m.id, 'declined');
        return;
      }
    }
  }

  private receiveBytes(data: ArrayBuffer) {
    const id = this.receiving;
    const inc = id ? this.incoming.get(id) : undefined;
    const t = id ? this.find(id) : undefined;
    // Bytes of a file this side cancelled (still in flight) are dropped.
    if (!id || !inc || !t || t.state !== 'moving') return;
    inc.chunks.push(data);
    const bytes = t.bytes + data.byteLength;
    if (bytes > t.size) {
      // More than announced: not the file that was accepted.
      this.fail(id);
      this.post({ t: 'cancel', id });
      return;
    }
    this.count(id, bytes);
  }

  private finish(t: Transfer) {
    const inc = this.incoming.get(t.id);
    this.incoming.delete(t.id);
    if (!inc || t.bytes !== t.size) {
      this.fail(t.id);
      this.post({ t: 'cancel', id: t.id });
      return;
    }
    const url = URL.createObjectURL(new Blob(inc.chunks, { type: t.type || 'application/octet-stream' }));
    this.update(t.id, { state: 'done', bytes: t.bytes, url });
    this.post({ t: 'received', id: t.id });
  }

  /** Sends the accepted files, one after the other, never queueing more than HIGH_WATER in the channel. */
  private async pump() {
    if (this.sending) return;
    this.sending = true;
    try {
      for (let id = this.sendQueue.shift(); id; id = this.sendQueue.shift()) await this.sendFile(id);
    } finally {
      this.sending = false;
    }
  }

  private async sendFile(id: string) {
    const out = this.outgoing.get(id);
    if (!out) return;
    const moving = () => !this.closed && this.find(id)?.state === 'moving';
    if (!moving()) return;
    this.post({ t: 'begin', id });
    const channel = this.channel;
    let sent = 0;
    try {
      for (let offset = 0; offset < out.file.size; offset += READ_BYTES) {
        const block = new Uint8Array(await out.file.slice(offset, offset + READ_BYTES).arrayBuffer());
        for (let at = 0; at < block.byteLength; at += CHUNK_BYTES) {
          if (channel.bufferedAmount > HIGH_WATER) await this.drained();
          if (!moving()) return;
          const chunk = block.subarray(at, at + CHUNK_BYTES);
          channel.send(chunk);
          sent += chunk.byteLength;
          this.count(id, sent);
        }
      }
      if (!moving()) return;
      this.post({ t: 'end', id });
      this.update(id, { state: 'sent', bytes: sent });
    } catch {
      // The file could not be read (moved, deleted) or the channel broke.
      if (moving()) {
        this.fail(id);
        this.post({ t: 'cancel', id });
      }
    } finally {
      this.outgoing.delete(id);
    }
  }

  private drained() {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.channel.removeEventListener('bufferedamountlow', done);
        this.channel.removeEventListener('close', done);
        resolve();
      };
      this.channel.addEventListener('bufferedamountlow', done);
      this.channel.addEventListener('close', done);
    });
  }

  private stop(id: string, by: 'me' | 'peer') {
    this.outgoing.delete(id);
    this.incoming.delete(id);
    this.update(id, { state: 'cancelled', cancelledBy: by });
  }

  private fail(id: string) {
    this.incoming.delete(id);
    this.outgoing.delete(id);
    this.update(id, { state: 'failed' });
  }

  private post(m: FileMessage) {
    if (this.channel.readyState === 'open') this.channel.send(JSON.stringify(m));
  }

  private find(id: string) {
    return this.snapshot.transfers.find((t) => t.id === id);
  }

  private count(id: string, bytes: number) {
    const t = this.find(id);
    if (t) t.bytes = bytes;
    this.progress();
  }

  /** Progress counters change in place (many times a second); the page hears of them at most every PROGRESS_MS. */
  private progress() {
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.set({ transfers: this.snapshot.transfers.map((t) => ({ ...t })) });
    }, PROGRESS_MS);
  }

  private update(id: string, patch: Partial<Transfer>) {
    this.set({
      transfers: this.snapshot.transfers.map((t) => (t.id === id ? { ...t, ...patch } : t)),
    });
  }

  private updateRequest(id: string, state: FileRequest['state']) {
    this.set({ requests: this.snapshot.requests.map((r) => (r.id === id ? { ...r, state } : r)) });
  }

  private set(patch: Partial<FileLinkSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    if (this.onSettled && patch.transfers) {
      for (const t of patch.transfers) {
        if (!SETTLED.has(t.state) || this.told.has(t.id)) continue;
        this.told.add(t.id);
        this.onSettled(t);
      }
    }
    for (const l of this.listeners) l();
  }
}
