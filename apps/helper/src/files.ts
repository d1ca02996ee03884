import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { type FileMessage, formatBytes, readFileMessage } from '@lifeline/contracts';

/**
 * QuickSupport's end of the `files` data channel, the same protocol as the
 * browsers' (packages/contracts/src/files.ts), so the agent's page cannot tell
 * a helper from a browser. A file the agent sends is written while it
 * arrives, under a partial name in the person's Downloads folder, and given
 * its own name only once it is whole, next to (never over) what is there.
 */

/** The channel as this side uses it: werift's RTCDataChannel, or a fake in tests. */
export interface FileChannel {
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(data: string | Buffer): void;
}

/** Bytes per binary frame: half the SCTP message size werift and browsers agree on without asking. */
export const CHUNK_BYTES = 32 * 1024;
/** Back-pressure: sending waits while more than this is queued in the channel. */
const HIGH_WATER = 4 * 1024 * 1024;
/** The person hears of progress at most this often. */
const PROGRESS_MS = 200;

export type TransferState =
  | 'offered'
  | 'moving'
  | 'sent'
  | 'done'
  | 'declined'
  | 'too-large'
  | 'cancelled'
  | 'failed';

export interface TransferView {
  id: string;
  direction: 'in' | 'out';
  name: string;
  size: number;
  bytes: number;
  state: TransferState;
  cancelledBy?: 'me' | 'peer';
  /** Where a received file was saved. */
  savedAs?: string;
}

export interface FilesView {
  /** A channel to the agent is open: files can go both ways. */
  open: boolean;
  maxBytes: number;
  /** Where received files go. */
  folder: string;
  transfers: TransferView[];
  /** The agent's open requests for a file. */
  requests: string[];
}

/** A file refused before anything was sent: not there, not a file, over the limit. */
export class FileRefusedError extends Error {}

/**
 * The person's Downloads folder: `--downloads`, else XDG_DOWNLOAD_DIR (Linux),
 * else Downloads in the home folder (%USERPROFILE%\Downloads on Windows).
 */
export function downloadsDir(
  given: string | undefined,
  xdgDownloadDir: string | undefined,
  home: string | undefined,
): string | undefined {
  if (given) return given;
  if (xdgDownloadDir) return xdgDownloadDir.replace(/^\$HOME(?=\/|$)/, home ?? '$HOME');
  return home ? path.join(home, 'Downloads') : undefined;
}

/**
 * A name the agent sent, made safe to create on Linux and Windows: no folder
 * parts, no control or reserved characters, no direction overrides that
 * disguise an extension, no hidden or device names, not too long.
 */
export function safeName(raw: string): string {
  let name = raw
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*\u202a-\u202e\u2066-\u2069]/g, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(name)) name = `_${name}`;
  if (!name) name = 'file';
  if (name.length > 150) {
    const ext = path.extname(name).slice(0, 20);
    name = name.slice(0, 150 - ext.length) + ext;
  }
  return name;
}

/**
 * Gives the finished `partial` the name `name` in `dir`, or `name (1)`, `name (2)`… if taken. A hard
 * link creates the name only if it does not exist, so nothing is ever overwritten, even by a file
 * that appears meanwhile; where links are not possible, an exclusive copy does the same.
 */
export async function saveWithoutOverwrite(partial: string, dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 0; n < 10_000; n++) {
    const candidate = path.join(dir, n === 0 ? name : `${stem} (${n})${ext}`);
    try {
      await fsp.link(partial, candidate);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      try {
        await fsp.copyFile(partial, candidate, fs.constants.COPYFILE_EXCL);
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw copyErr;
      }
    }
    await fsp.unlink(partial);
    return candidate;
  }
  throw new Error(`Too many files named like ${name} in ${dir}.`);
}

interface Incoming {
  partial: string;
  out: fs.WriteStream;
  failed: boolean;
}

export interface HelperFilesDeps {
  folder: string | undefined;
  maxBytes: () => number;
  /** Something the person sees changed. */
  onChange: () => void;
  /** A line for the person (and the log). */
  notify: (line: string) => void;
  /** Who is at the other end, as the person knows them. */
  agent: () => string;
}

/**
 * Files with the agent over the current channel. Transfers stay listed
 * across channels (a reconnect, a pause); what was under way when a channel
 * went away failed, and its partial file is deleted.
 */
export class HelperFiles {
  private channel: FileChannel | undefined;
  private transfers: TransferView[] = [];
  private requests: string[] = [];
  private readonly outgoing = new Map<string, string>();
  private readonly incoming = new Map<string, Incoming>();
  private readonly sendQueue: string[] = [];
  private sending = false;
  private receiving: string | null = null;
  private progressTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: HelperFilesDeps) {}

  view(): FilesView {
    return {
      open: this.channel?.readyState === 'open',
      maxBytes: this.deps.maxBytes(),
      folder: this.deps.folder ?? '',
      transfers: this.transfers.map((t) => ({ ...t })),
      requests: [...this.requests],
    };
  }

  /** A new channel to the agent; whatever the last one carried failed. */
  attach(channel: FileChannel) {
    this.detach();
    this.channel = channel;
    this.deps.onChange();
  }

  /** The channel is gone (`channel`: only if it is that one). */
  detach(channel?: FileChannel) {
    if (channel && channel !== this.channel) return;
    const had = this.channel !== undefined;
    this.channel = undefined;
    this.sendQueue.length = 0;
    this.outgoing.clear();
    this.receiving = null;
    for (const id of [...this.incoming.keys()]) this.dropIncoming(id);
    this.requests = [];
    this.transfers = this.transfers.map((t) =>
      ['offered', 'moving', 'sent'].includes(t.state) ? { ...t, state: 'failed' as const } : t,
    );
    if (had) this.deps.onChange();
  }

  /** One message of the channel: a JSON text frame or file bytes. */
  receive(data: string | Buffer) {
    if (typeof data !== 'string') return this.receiveBytes(data);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const m = readFileMessage(parsed);
    if (m) this.handle(m);
  }

  /** The person saves an offered file in the Downloads folder. */
  accept(id: string) {
    const t = this.find(id);
    if (t?.direction !== 'in' || t.state !== 'offered') return;
    const folder = this.deps.folder;
    if (!folder) {
      this.deps.notify('No Downloads folder to save in: the file was declined.');
      return this.decline(id);
    }
    let out: fs.WriteStream;
    const partial = path.join(folder, `${safeName(t.name)}.${randomBytes(4).toString('hex')}.part`);
    try {
      fs.mkdirSync(folder, { recursive: true });
      out = fs.createWriteStream(partial, { flags: 'wx' });
    } catch (err) {
      this.deps.notify(`Cannot save in ${folder}: ${(err as Error).message}`);
      return this.decline(id);
    }
    const incoming: Incoming = { partial, out, failed: false };
    out.on('error', (err) => {
      if (incoming.failed || this.incoming.get(id) !== incoming) return;
      this.deps.notify(`Could not write ${t.name}: ${err.message}`);
      this.fail(id);
      this.post({ t: 'cancel', id });
    });
    this.incoming.set(id, incoming);
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

  declineRequest(id: string) {
    if (!this.requests.includes(id)) return;
    this.requests = this.requests.filter((r) => r !== id);
    this.post({ t: 'request-declined', id });
    this.deps.onChange();
  }

  /**
   * Offers the file at `file` to the agent, as the answer to their request `replyTo` if given.
   * Throws FileRefusedError, before anything is sent, for a file that cannot or may not go.
   */
  async offer(file: string, replyTo?: string): Promise<void> {
    if (this.channel?.readyState !== 'open')
      throw new FileRefusedError('There is no connection to the agent.');
    if (replyTo && !this.requests.includes(replyTo)) replyTo = undefined;
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(file);
    } catch {
      throw new FileRefusedError(`There is no file ${file}.`);
    }
    if (!stat.isFile()) throw new FileRefusedError(`${file} is not a file.`);
    const name = path.basename(file).slice(0, 255);
    const max = this.deps.maxBytes();
    if (stat.size > max)
      throw new FileRefusedError(
        `“${name}” is ${formatBytes(stat.size)}: files up to ${formatBytes(max)} can be sent.`,
      );
    const id = randomUUID();
    this.outgoing.set(id, file);
    this.transfers.push({ id, direction: 'out', name, size: stat.size, bytes: 0, state: 'offered' });
    if (replyTo) this.requests = this.requests.filter((r) => r !== replyTo);
    this.post({ t: 'offer', id, name, size: stat.size, type: '', ...(replyTo ? { replyTo } : {}) });
    this.deps.onChange();
  }

  private handle(m: FileMessage) {
    const t = this.find(m.id);
    switch (m.t) {
      case 'offer': {
        if (t) return;
        const transfer: TransferView = {
          id: m.id,
          direction: 'in',
          name: m.name,
          size: m.size,
          bytes: 0,
          state: 'offered',
        };
        this.transfers.push(transfer);
        if (m.size > this.deps.maxBytes()) {
          transfer.state = 'too-large';
          this.post({ t: 'decline', id: m.id, tooLarge: true });
          this.deps.notify(`${this.deps.agent()} tried to send ${m.name}, which is over the size limit.`);
        }
        this.deps.onChange();
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
        this.receiving = t?.direction === 'in' && t.state === 'moving' ? m.id : null;
        return;
      case 'end':
        if (this.receiving === m.id) this.receiving = null;
        if (t?.direction === 'in' && t.state === 'moving') void this.finish(t);
        return;
      case 'received':
        if (t?.direction === 'out' && t.state === 'sent') {
          this.update(m.id, { state: 'done' });
          this.deps.notify(`${this.deps.agent()} received ${t.name}.`);
        }
        return;
      case 'cancel':
        if (t && ['offered', 'moving', 'sent'].includes(t.state)) this.stop(m.id, 'peer');
        return;
      case 'request':
        if (!this.requests.includes(m.id)) {
          this.requests.push(m.id);
          this.deps.onChange();
        }
        return;
      case 'request-declined':
        // This side never asks.
        return;
    }
  }

  private receiveBytes(data: Buffer) {
    const id = this.receiving;
    const inc = id ? this.incoming.get(id) : undefined;
    const t = id ? this.find(id) : undefined;
    // Bytes of a file cancelled here (still in flight) are dropped.
    if (!id || !inc || !t || t.state !== 'moving') return;
    if (t.bytes + data.byteLength > t.size) {
      // More than announced: not the file that was accepted.
      this.fail(id);
      this.post({ t: 'cancel', id });
      return;
    }
    inc.out.write(data);
    t.bytes += data.byteLength;
    this.progress();
  }

  private async finish(t: TransferView) {
    const inc = this.incoming.get(t.id);
    if (!inc || t.bytes !== t.size) {
      this.fail(t.id);
      this.post({ t: 'cancel', id: t.id });
      return;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        inc.out.once('error', reject);
        inc.out.end(resolve);
      });
      // Cancelled while the last bytes were written: the partial file is gone already.
      if (this.incoming.get(t.id) !== inc) return;
      this.incoming.delete(t.id);
      const savedAs = await saveWithoutOverwrite(inc.partial, this.deps.folder as string, safeName(t.name));
      this.update(t.id, { state: 'done', savedAs });
      this.post({ t: 'received', id: t.id });
      this.deps.notify(`${this.deps.agent()} sent you ${t.name}: saved as ${savedAs}.`);
    } catch (err) {
      // Cancelled meanwhile: the partial file went with the cancel.
      if (this.find(t.id)?.state !== 'moving') return;
      this.deps.notify(`Could not save ${t.name}: ${(err as Error).message}`);
      this.incoming.set(t.id, inc);
      this.fail(t.id);
      this.post({ t: 'cancel', id: t.id });
    }
  }

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
    const file = this.outgoing.get(id);
    const channel = this.channel;
    if (!file || !channel) return;
    const moving = () => this.channel === channel && this.find(id)?.state === 'moving';
    this.post({ t: 'begin', id });
    let sent = 0;
    try {
      for await (const block of fs.createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
        while (channel.bufferedAmount > HIGH_WATER && moving()) await new Promise((r) => setTimeout(r, 10));
        if (!moving()) return;
        channel.send(block as Buffer);
        sent += (block as Buffer).byteLength;
        const t = this.find(id);
        if (t) t.bytes = sent;
        this.progress();
      }
      if (!moving()) return;
      const t = this.find(id);
      if (sent !== t?.size) throw new Error('the file changed while it was sent');
      this.post({ t: 'end', id });
      this.update(id, { state: 'sent', bytes: sent });
    } catch (err) {
      if (moving()) {
        this.deps.notify(`Could not send ${this.find(id)?.name}: ${(err as Error).message}`);
        this.fail(id);
        this.post({ t: 'cancel', id });
      }
    } finally {
      this.outgoing.delete(id);
    }
  }

  /** Closes and deletes the partial file of an incoming transfer. */
  private dropIncoming(id: string) {
    const inc = this.incoming.get(id);
    if (!inc) return;
    this.incoming.delete(id);
    inc.failed = true;
    inc.out.destroy();
    inc.out.once('close', () => fs.rm(inc.partial, { force: true }, () => {}));
    // A stream that never opened emits no close.
    if (inc.out.closed) fs.rm(inc.partial, { force: true }, () => {});
  }

  private stop(id: string, by: 'me' | 'peer') {
    this.outgoing.delete(id);
    this.dropIncoming(id);
    const t = this.find(id);
    this.update(id, { state: 'cancelled', cancelledBy: by });
    if (by === 'peer' && t) this.deps.notify(`${this.deps.agent()} cancelled ${t.name}.`);
  }

  private fail(id: string) {
    this.outgoing.delete(id);
    this.dropIncoming(id);
    this.update(id, { state: 'failed' });
  }

  private post(m: FileMessage) {
    if (this.channel?.readyState === 'open') this.channel.send(JSON.stringify(m));
  }

  private find(id: string) {
    return this.transfers.find((t) => t.id === id);
  }

  private progress() {
    if (this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = null;
      this.deps.onChange();
    }, PROGRESS_MS);
  }

  private update(id: string, patch: Partial<TransferView>) {
    const t = this.find(id);
    if (t) Object.assign(t, patch);
    this.deps.onChange();
  }
}
