import { describe, expect, it } from 'vitest';
import { LADDER } from './adapt.js';
import { ffmpegArgs, isVp8KeyframeStart } from './screen-stream.js';

describe('the screen stream', () => {
  it('asks ffmpeg for the X display, realtime VP8 with a keyframe a second, as RTP to our port', () => {
    const args = ffmpegArgs({ display: ':7', width: 1025, height: 768 }, LADDER[0] as never, 40000, 42).join(
      ' ',
    );
    expect(args).toContain('-f x11grab');
    expect(args).toContain('-video_size 1024x768 -i :7+0,0');
    expect(args).toContain('-c:v libvpx -deadline realtime');
    expect(args).toContain('-g 15');
    expect(args).toContain('-ssrc 42');
    expect(args).toContain('rtp://127.0.0.1:40000?pkt_size=1200&rtcpport=40000');
  });

  it('scales the picture down on the lower levels of the ladder', () => {
    const args = ffmpegArgs({ display: ':7', width: 1024, height: 768 }, LADDER[3] as never, 40000, 42).join(
      ' ',
    );
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
