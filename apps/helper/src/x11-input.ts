import x11, { type XClient, type XDisplay, type XTestExtension } from 'x11';
import type { InputSink } from './platform.js';

/** Opens an X connection. Resolves once connected, rejects with a readable reason otherwise. */
export function connectDisplay(display: string): Promise<XDisplay> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const client = x11.createClient({ display }, (err, d) => {
      if (settled) return;
      settled = true;
      if (err) reject(new Error(`Cannot open the X display ${display}: ${err.message}`));
      else resolve(d);
    });
    client.on('error', (err: Error) => {
      if (!settled) {
        settled = true;
        reject(new Error(`Cannot open the X display ${display}: ${err.message}`));
      }
    });
  });
}

function requireXTest(client: XClient): Promise<XTestExtension> {
  return new Promise((resolve, reject) =>
    client.require('xtest', (err, ext) =>
      err ? reject(new Error(`The X server has no XTEST extension: ${err.message}`)) : resolve(ext),
    ),
  );
}

function keyboardMapping(d: XDisplay): Promise<number[][]> {
  return new Promise((resolve, reject) =>
    d.client.GetKeyboardMapping(d.min_keycode, d.max_keycode - d.min_keycode + 1, (err, list) =>
      err ? reject(err) : resolve(list),
    ),
  );
}

/**
 * XTEST FakeInput on one long-lived X connection: each event is one small
 * request written straight to the socket, with no process started per event
 * (xdotool would cost a fork and a connection every time).
 */
export class X11Sink implements InputSink {
  readonly width: number;
  readonly height: number;
  private readonly root: number;
  /** keysym → key; built from the server's keymap, extended when a character needs a spare key. */
  private readonly keys = new Map<number, { keycode: number; shifted: boolean }>();
  private readonly spare: number[] = [];

  private constructor(
    private readonly display: XDisplay,
    private readonly xtest: XTestExtension,
    mapping: number[][],
  ) {
    const screen = display.screen[0];
    if (!screen) throw new Error('The X display has no screen.');
    this.root = screen.root;
    this.width = screen.pixel_width;
    this.height = screen.pixel_height;
    mapping.forEach((syms, i) => {
      const keycode = display.min_keycode + i;
      if (syms.every((s) => s === 0)) this.spare.push(keycode);
      syms.slice(0, 2).forEach((sym, level) => {
        if (sym && !this.keys.has(sym)) this.keys.set(sym, { keycode, shifted: level === 1 });
      });
    });
  }

  static async open(display: string): Promise<X11Sink> {
    const d = await connectDisplay(display);
    try {
      return new X11Sink(d, await requireXTest(d.client), await keyboardMapping(d));
    } catch (err) {
      d.client.terminate();
      throw err;
    }
  }

  motion(x: number, y: number) {
    this.xtest.FakeInput(this.xtest.MotionNotify, 0, 0, this.root, Math.round(x), Math.round(y));
  }

  button(button: number, down: boolean) {
    this.xtest.FakeInput(
      down ? this.xtest.ButtonPress : this.xtest.ButtonRelease,
      button,
      0,
      this.root,
      0,
      0,
    );
  }

  key(keycode: number, down: boolean) {
    this.xtest.FakeInput(down ? this.xtest.KeyPress : this.xtest.KeyRelease, keycode, 0, this.root, 0, 0);
  }

  keycodeFor(keysym: number) {
    const known = this.keys.get(keysym);
    if (known) return known;
    // A character the keymap lacks (é on a US map, emoji…): bind it to a spare key, as xdotool does.
    const keycode = this.spare.shift();
    if (keycode === undefined) return undefined;
    this.changeMapping(keycode, keysym);
    const entry = { keycode, shifted: false };
    this.keys.set(keysym, entry);
    return entry;
  }

  /** ChangeKeyboardMapping (opcode 100) for one keycode, the same keysym on both levels. */
  private changeMapping(keycode: number, keysym: number) {
    const x = this.display.client;
    x.seq_num++;
    x.pack_stream.pack('CCSCCxxLL', [100, 1, 4, keycode, 2, keysym, keysym]);
    x.pack_stream.flush();
  }

  close() {
    this.display.client.terminate();
  }
}
