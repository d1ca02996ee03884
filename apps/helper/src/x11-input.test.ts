import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryPointer, startXvfb } from '../test/xvfb.js';
import { XK } from './keys.js';
import { connectDisplay, X11Sink } from './x11-input.js';

/** Against a real X server: the pointer is where XTEST put it, as XQueryPointer reads it back. */
describe('XTEST input on a real X display', () => {
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;
  let sink: X11Sink;
  beforeAll(async () => {
    xvfb = await startXvfb('640x480x24');
    sink = await X11Sink.open(xvfb.display);
  });
  afterAll(() => {
    sink?.close();
    xvfb?.stop();
  });

  it('knows the screen size', () => {
    expect([sink.width, sink.height]).toEqual([640, 480]);
  });

  it('moves the pointer to the given pixel', async () => {
    const observer = await connectDisplay(xvfb.display);
    try {
      sink.motion(321, 123);
      await expect.poll(() => queryPointer(observer)).toEqual([321, 123]);
    } finally {
      observer.client.terminate();
    }
  });

  it('finds the keys of the keymap, with their Shift level', () => {
    const a = sink.keycodeFor(0x61);
    expect(a?.shifted).toBe(false);
    expect(sink.keycodeFor(0x41)).toEqual({ keycode: a?.keycode, shifted: true });
    expect(sink.keycodeFor(XK.Return)?.shifted).toBe(false);
  });

  it('binds a character the keymap lacks to a spare key', () => {
    const snowman = sink.keycodeFor(0x01002603);
    expect(snowman?.keycode).toBeGreaterThan(0);
    expect(sink.keycodeFor(0x01002603)).toEqual(snowman);
  });

  it('says clearly when there is no display to open', async () => {
    await expect(X11Sink.open(':97')).rejects.toThrow(/Cannot open the X display :97/);
  });
});
