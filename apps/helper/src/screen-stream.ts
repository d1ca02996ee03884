import type { ChildProcess, SpawnOptions } from 'node:child_process';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { type MediaStreamTrack, type RTCRtpSender, RtpPacket } from 'werift';
import type { Level } from './adapt.js';
import type { ScreenCapture } from './platform.js';

/**
 * Chrome's playout-delay RTP header extension. With min = max = 0 the agent's
 * browser shows each frame as soon as it is decoded instead of holding it in a
 * jitter buffer for smoothness, as Chrome does for its own screen sharing: a
 * remote screen the agent acts on must be current more than smooth.
 */
export const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';
const ZERO_PLAYOUT_DELAY = Buffer.from([0, 0, 0]);

/** ffmpeg is told `-g fps`: a keyframe every second. */
const KEYFRAME_INTERVAL_MS = 1000;
/** About how long a new ffmpeg run takes to its first packet on a loaded machine. */
const RESTART_COST_MS = 400;

export type Spawn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/** ffmpeg's command line: grab the screen, encode VP8 for low delay, packetise as RTP to our UDP port. */
export function ffmpegArgs(source: ScreenCapture, level: Level, port: number, ssrc: number): string[] {
  // libvpx wants even sizes; the grabber must not ask for more than the screen has.
  const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
  const width = even(source.width * level.scale);
  const height = even(source.height * level.scale);
  const scale = level.scale < 1 ? ['-vf', `scale=${width}:${height}`] : [];
  return [
    ['-hide_banner', '-loglevel', 'error', '-nostdin'],
    // Start at once and keep nothing queued on the way in: a late frame is worth less than the next one.
    ['-fflags', 'nobuffer', '-probesize', '32', '-analyzeduration', '0'],
    source.input(level.fps, even(source.width), even(source.height)),
    scale,
    // Realtime VP8: no look-ahead frames, each frame decodable after a loss, fastest encoder speed.
    ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0'],
    ['-error-resilient', '1', '-auto-alt-ref', '0', '-threads', '2'],
    ['-b:v', String(level.bitrate), '-maxrate', String(level.bitrate), '-bufsize', String(level.bitrate)],
    // A keyframe every second: a browser that lost one (or just joined) shows a picture again within a second.
    ['-g', String(level.fps), '-keyint_min', String(level.fps)],
    // Each captured frame goes out as it is, stamped with its capture time: with the default constant
    // frame rate a starved ffmpeg falls seconds behind, then duplicates frames to catch up.
    [...source.passthrough, '-flush_packets', '1'],
    ['-an', '-f', 'rtp', '-payload_type', '96', '-ssrc', String(ssrc)],
    // ffmpeg's RTCP goes to the same socket and is dropped there: the browser's RTCP is what we adapt to.
    [`rtp://127.0.0.1:${port}?pkt_size=1200&rtcpport=${port}`],
  ].flat();
}

/**
 * Whether an RTP payload starts a VP8 keyframe (RFC 7741): the payload
 * descriptor, with its optional extension bytes, then the VP8 header whose
 * lowest bit is 0 for a keyframe.
 */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  const b0 = payload[0];
  if (b0 === undefined) return false;
  const startOfPartition = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  if (!startOfPartition) return false;
  let i = 1;
  if (b0 & 0x80) {
    const ext = payload[i++] ?? 0;
    if (ext & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1;
    if (ext & 0x40) i++;
    if (ext & 0x30) i++;
  }
  const header = payload[i];
  return header !== undefined && (header & 0x01) === 0;
}

/** RTCP packet types 200–204 (SR, RR, SDES, BYE, APP) share the socket with RTP. */
const isRtcp = (b: Buffer) => b.length >= 2 && (b[1] as number) >= 200 && (b[1] as number) <= 204;

/**
 * The screen as a WebRTC video track: ffmpeg (the platform's grabber → libvpx → RTP) sends
 * to a UDP port on loopback, and every packet is written to the werift track.
 * A new level restarts ffmpeg; the sender keeps sequence numbers and
 * timestamps continuous across the restart, so the browser sees one stream.
 */
export class ScreenStream {
  private socket: dgram.Socket | undefined;
  private ffmpeg: ChildProcess | undefined;
  private lastPacketAt = 0;
  private firstPacketOfRun = true;
  /** Each ffmpeg run sends under an SSRC of its own, so a stopped run's last packets are told apart and dropped. */
  private ssrc = 0x4c4c0000;
  /** Bytes sent per recent second, for the rate the adaptive policy compares the receiver's estimate with. */
  private readonly sentBytes: { at: number; bytes: number }[] = [];
  private stopped = false;
  private restarts = 0;
  private lastKeyframeAt = 0;
  private lastRestartAt = 0;
  onFailure: (reason: string) => void = () => {};

  constructor(
    private readonly source: ScreenCapture,
    private readonly track: MediaStreamTrack,
    private readonly sender: RTCRtpSender,
    private readonly spawn: Spawn,
    private level: Level,
    private readonly now: () => number = Date.now,
  ) {}

  /** The id the agent's browser agreed to for the playout-delay extension, if it took it (werift keeps it unexposed). */
  private playoutDelayId(): number | undefined {
    const negotiated = (this.sender as unknown as { headerExtensions?: { id: number; uri: string }[] })
      .headerExtensions;
    return negotiated?.find((e) => e.uri === PLAYOUT_DELAY_URI)?.id;
  }

  async start() {
    const socket = dgram.createSocket('udp4');
    this.socket = socket;
    socket.on('message', (buf, from) => {
      if (from.address !== '127.0.0.1' || isRtcp(buf) || this.stopped || buf.length < 12) return;
      if (buf.readUInt32BE(8) !== this.ssrc) return;
      const packet = RtpPacket.deSerialize(buf);
      if (this.firstPacketOfRun) {
        this.firstPacketOfRun = false;
        // The pause since the last frame, in 90 kHz units, so the browser's jitter buffer sees real time pass.
        if (this.restarts > 0) {
          const pause = Math.round((this.now() - this.lastPacketAt) * 90);
          this.sender.replaceRTP(packet.header, true, Math.max(1, pause));
        }
      }
      if (isVp8KeyframeStart(packet.payload)) this.lastKeyframeAt = this.now();
      this.lastPacketAt = this.now();
      this.sentBytes.push({ at: this.lastPacketAt, bytes: buf.length });
      this.forgetSentBefore(this.lastPacketAt - 2000);
      const id = this.playoutDelayId();
      if (id !== undefined) {
        packet.header.extension = true;
        packet.header.extensionProfile = 0xbede;
        packet.header.extensions.push({ id, payload: ZERO_PLAYOUT_DELAY });
      }
      this.track.writeRtp(packet);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    this.run();
  }

  get port() {
    return (this.socket?.address() as AddressInfo | undefined)?.port;
  }

  private run() {
    const port = this.port;
    if (port === undefined || this.stopped) return;
    this.firstPacketOfRun = true;
    this.ssrc = (this.ssrc + 1) >>> 0;
    const child = this.spawn(this.source.ffmpeg, ffmpegArgs(this.source, this.level, port, this.ssrc), {
      stdio: ['ignore', 'ignore', 'pipe'],
      // No console window of its own on Windows: the customer sees only QuickSupport's.
      windowsHide: true,
    });
    this.ffmpeg = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on('error', (err) => {
      if (this.ffmpeg === child)
        this.onFailure(`ffmpeg could not be started (${err.message}); is it installed?`);
    });
    child.on('exit', (code, signal) => {
      if (this.ffmpeg !== child || this.stopped) return;
      this.ffmpeg = undefined;
      this.onFailure(`ffmpeg stopped (${signal ?? `exit code ${code}`}): ${stderr.trim() || 'no message'}`);
    });
  }

  /** Bits per second sent over the last two seconds. */
  get sendingBitrate() {
    this.forgetSentBefore(this.now() - 2000);
    return (this.sentBytes.reduce((sum, p) => sum + p.bytes, 0) * 8) / 2;
  }

  private forgetSentBefore(at: number) {
    while (this.sentBytes.length && (this.sentBytes[0]?.at ?? 0) < at) this.sentBytes.shift();
  }

  /**
   * The browser lost the picture (PLI): ffmpeg cannot be asked for a keyframe
   * while it runs, but a new run starts with one. Worth it only when the next
   * scheduled keyframe (one a second) is further off than a restart takes,
   * or overdue.
   */
  requestKeyframe() {
    const now = this.now();
    // Due soon: it will be there before a new run could be. Overdue (ffmpeg stalled): restart.
    const untilScheduled = this.lastKeyframeAt + KEYFRAME_INTERVAL_MS - now;
    const dueSoon = untilScheduled > 0 && untilScheduled < RESTART_COST_MS;
    if (dueSoon || now - this.lastRestartAt < KEYFRAME_INTERVAL_MS) return false;
    this.setLevel(this.level);
    return true;
  }

  setLevel(level: Level) {
    this.lastRestartAt = this.now();
    this.level = level;
    const old = this.ffmpeg;
    this.ffmpeg = undefined;
    old?.kill('SIGTERM');
    this.restarts++;
    this.run();
  }

  stop() {
    this.stopped = true;
    const child = this.ffmpeg;
    this.ffmpeg = undefined;
    child?.kill('SIGTERM');
    this.socket?.close();
    this.socket = undefined;
  }
}
