import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { MediaStreamTrack, RTCRtpSender, RtpPacket } from 'werift';
import { LADDER } from './adapt.js';
import { gdigrabCapture } from './platforms/windows/capture.js';
import { x11Capture } from './platforms/x11.js';
import {
  ffmpegArgs,
  isVp8KeyframeStart,
  PLAYOUT_DELAY_URI,
  ScreenStream,
  type Spawn,
} from './screen-stream.js';

describe('the screen stream', () => {
  it('asks ffmpeg for the X display, realtime VP8 with a keyframe a second, as RTP to our port', () => {
    const args = ffmpegArgs(x11Capture(':7', 1025, 768), LADDER[0] as never, 40000, 42).join(' ');
    expect(args).toContain('-f x11grab');
    expect(args).toContain('-video_size 1024x768 -i :7+0,0');
    expect(args).toContain('-fps_mode passthrough');
    expect(args).toContain('-c:v libvpx -deadline realtime');
    expect(args).toContain('-g 15');
    expect(args).toContain('-ssrc 42');
    expect(args).toContain('rtp://127.0.0.1:40000?pkt_size=1200&rtcpport=40000');
  });

  it('asks the Windows ffmpeg (4.1) for the desktop through GDI, with the frame-passing option it knows', () => {
    const capture = gdigrabCapture('C:\\Temp\\ffmpeg.exe', 1366, 768);
    const args = ffmpegArgs(capture, LADDER[0] as never, 40000, 42);
    expect(args.join(' ')).toContain(
      '-f gdigrab -draw_mouse 1 -framerate 15 -offset_x 0 -offset_y 0 -video_size 1366x768 -i desktop',
    );
    expect(args.join(' ')).toContain('-vsync passthrough');
    expect(args).not.toContain('-fps_mode');
    expect(capture.ffmpeg).toBe('C:\\Temp\\ffmpeg.exe');
  });

  it('scales the picture down on the lower levels of the ladder', () => {
    const args = ffmpegArgs(x11Capture(':7', 1024, 768), LADDER[3] as never, 40000, 42).join(' ');
    expect(args).toContain('-vf scale=512:384');
    expect(args).toContain('-framerate 5');
  });

  it('tells the first packet of a VP8 keyframe from other packets', () => {
    // X=1, S=1, PID=0; I=1 with a 15-bit picture id; VP8 header with P=0 (key) or P=1 (inter).
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x10]))).toBe(true);
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80, 0x81, 0x23, 0x11]))).toBe(false);
    // Not the start of the partition: a keyframe's later packet.
    expect(isVp8KeyframeStart(Buffer.from([0x80, 0x80, 0x81, 0x23, 0x10]))).toBe(false);
    // No extension byte.
    expect(isVp8KeyframeStart(Buffer.from([0x10, 0x00]))).toBe(true);
    expect(isVp8KeyframeStart(Buffer.alloc(0))).toBe(false);
  });
});

/** ffmpeg as the stream sees it: a child process we can see started and stopped, and RTP it "sends". */
class FakeFfmpeg extends EventEmitter {
  killed = false;
  stderr = new EventEmitter();
  kill() {
    this.killed = true;
    return true;
  }
}

function rtp(ssrc: number, seq: number, payload: number[]) {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = 96 | 0x80;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 3000, 4);
  b.writeUInt32BE(ssrc, 8);
  Buffer.from(payload).copy(b, 12);
  return b;
}
const KEY = [0x90, 0x80, 0x81, 0x23, 0x10];
const DELTA = [0x90, 0x80, 0x81, 0x23, 0x11];

describe('the screen stream with ffmpeg and the browser stood in for', () => {
  async function setup() {
    const clock = { ms: 10_000 };
    const runs: { args: string[]; child: FakeFfmpeg }[] = [];
    const written: RtpPacket[] = [];
    const continuity: number[] = [];
    const spawn = ((_cmd: string, args: string[]) => {
      const child = new FakeFfmpeg();
      runs.push({ args, child });
      return child;
    }) as unknown as Spawn;
    const track = { writeRtp: (p: RtpPacket) => written.push(p) } as unknown as MediaStreamTrack;
    const sender = {
      replaceRTP: (_h: unknown, _d: boolean, step: number) => continuity.push(step),
      headerExtensions: [{ id: 5, uri: PLAYOUT_DELAY_URI }],
    } as unknown as RTCRtpSender;
    const stream = new ScreenStream(
      x11Capture(':9', 640, 480),
      track,
      sender,
      spawn,
      LADDER[0] as never,
      () => clock.ms,
    );
    await stream.start();
    const socket = dgram.createSocket('udp4');
    const send = async (b: Buffer) => {
      const before = written.length;
      await new Promise<void>((resolve) =>
        socket.send(b, stream.port as number, '127.0.0.1', () => resolve()),
      );
      await expect.poll(() => written.length, { timeout: 2000 }).toBeGreaterThanOrEqual(before);
    };
    const ssrcOf = (run: number) => Number(runs[run]?.args[runs[run].args.indexOf('-ssrc') + 1]);
    return { clock, runs, written, continuity, stream, socket, send, ssrcOf };
  }

  it("forwards the current run's RTP with the playout-delay extension, and drops a stopped run's last packets", async () => {
    const { runs, written, stream, socket, ssrcOf, clock } = await setup();
    try {
      socket.send(rtp(ssrcOf(0), 1, KEY), stream.port as number, '127.0.0.1');
      await expect.poll(() => written.length).toBe(1);
      expect(written[0]?.header.extensions).toEqual([{ id: 5, payload: Buffer.from([0, 0, 0]) }]);

      clock.ms += 2000;
      expect(stream.requestKeyframe()).toBe(true);
      expect(runs[0]?.child.killed).toBe(true);
      expect(runs).toHaveLength(2);
      expect(ssrcOf(1)).not.toBe(ssrcOf(0));
      // The old run's trailing packet is not the new run's start.
      socket.send(rtp(ssrcOf(0), 2, DELTA), stream.port as number, '127.0.0.1');
      socket.send(rtp(ssrcOf(1), 700, KEY), stream.port as number, '127.0.0.1');
      await expect.poll(() => written.length).toBe(2);
      expect(written[1]?.header.sequenceNumber).toBe(700);
    } finally {
      socket.close();
      stream.stop();
    }
  });

  it('restarts for a lost picture only when the next scheduled keyframe is further off than a restart takes', async () => {
    const { runs, stream, socket, ssrcOf, clock, continuity, written } = await setup();
    try {
      socket.send(rtp(ssrcOf(0), 1, KEY), stream.port as number, '127.0.0.1');
      await expect.poll(() => written.length).toBe(1);
      clock.ms += 800; // the next keyframe is 200 ms away
      expect(stream.requestKeyframe()).toBe(false);
      clock.ms += 1000; // a keyframe was due and did not come: long past
      socket.send(rtp(ssrcOf(0), 2, DELTA), stream.port as number, '127.0.0.1');
      await expect.poll(() => written.length).toBe(2);
      expect(stream.requestKeyframe()).toBe(true);
      // Not again at once, whatever the browser asks.
      expect(stream.requestKeyframe()).toBe(false);
      expect(runs).toHaveLength(2);
      // The new run's first packet continues the timeline after the pause since the last one.
      clock.ms += 300;
      socket.send(rtp(ssrcOf(1), 9, KEY), stream.port as number, '127.0.0.1');
      await expect.poll(() => continuity).toEqual([300 * 90]);
    } finally {
      socket.close();
      stream.stop();
    }
  });

  it('stops ffmpeg for good', async () => {
    const { runs, stream, socket } = await setup();
    socket.close();
    stream.stop();
    expect(runs[0]?.child.killed).toBe(true);
    runs[0]?.child.emit('exit', 0, null);
    expect(runs).toHaveLength(1);
  });
});
