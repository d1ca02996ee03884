import type * as Koffi from 'koffi';
import type { InputSink } from '../../platform.js';
import { isExtended, keyForKeysym, UNICODE_BASE } from './keys.js';

export type KoffiModule = typeof Koffi;

/** Koffi's native part, written out of the program beside ffmpeg: Node-API modules load only from a file. */
export function loadKoffi(file: string): KoffiModule {
  const module = { exports: {} as KoffiModule };
  process.dlopen(module, file);
  return module.exports;
}

const INPUT_MOUSE = 0;
const INPUT_KEYBOARD = 1;
const MOUSE = {
  LEFTDOWN: 0x2,
  LEFTUP: 0x4,
  RIGHTDOWN: 0x8,
  RIGHTUP: 0x10,
  MIDDLEDOWN: 0x20,
  MIDDLEUP: 0x40,
  WHEEL: 0x800,
  HWHEEL: 0x1000,
} as const;
const KEY = { EXTENDEDKEY: 0x1, KEYUP: 0x2, UNICODE: 0x4, SCANCODE: 0x8 } as const;
const WHEEL_DELTA = 120;
/** DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2: the screen in real pixels, as ffmpeg captures it. */
const PER_MONITOR_AWARE_V2 = -4;

type MouseInput = {
  dx: number;
  dy: number;
  mouseData: number;
  dwFlags: number;
  time: number;
  dwExtraInfo: number;
};
type KeybdInput = { wVk: number; wScan: number; dwFlags: number; time: number; dwExtraInfo: number };
type Input = { type: number; u: { mi: MouseInput } | { ki: KeybdInput } };

/**
 * Input through user32's SendInput (buttons, wheel, keys) and SetCursorPos
 * (the pointer, to the exact pixel), as any program of the signed-in user
 * may: no driver, no service, no admin rights. The one thing user mode cannot
 * send is Ctrl+Alt+Del (the secure attention sequence); the agent's page says so.
 */
export class Win32Sink implements InputSink {
  readonly width: number;
  readonly height: number;
  private readonly sendInput: (n: number, inputs: Input[], size: number) => number;
  private readonly setCursorPos: (x: number, y: number) => boolean;
  private readonly vkKeyScan: (c: number) => number;
  private readonly mapVirtualKey: (code: number, type: number) => number;
  private readonly inputSize: number;
  private readonly keys = new Map<number, { keycode: number; shifted: boolean } | undefined>();

  constructor(koffi: KoffiModule) {
    const user32 = koffi.load('user32.dll');
    // Per-monitor DPI awareness first, so metrics and cursor positions are in the pixels ffmpeg sees.
    try {
      user32.func('int __stdcall SetProcessDpiAwarenessContext(intptr_t value)')(PER_MONITOR_AWARE_V2);
    } catch {
      user32.func('int __stdcall SetProcessDPIAware()')();
    }
    const getSystemMetrics = user32.func('int __stdcall GetSystemMetrics(int index)') as (
      i: number,
    ) => number;
    this.width = getSystemMetrics(0);
    this.height = getSystemMetrics(1);
    const mouse = koffi.struct('LL_MOUSEINPUT', {
      dx: 'int32',
      dy: 'int32',
      mouseData: 'uint32',
      dwFlags: 'uint32',
      time: 'uint32',
      dwExtraInfo: 'uintptr_t',
    });
    const keybd = koffi.struct('LL_KEYBDINPUT', {
      wVk: 'uint16',
      wScan: 'uint16',
      dwFlags: 'uint32',
      time: 'uint32',
      dwExtraInfo: 'uintptr_t',
    });
    const input = koffi.struct('LL_INPUT', {
      type: 'uint32',
      u: koffi.union('LL_INPUT_UNION', { mi: mouse, ki: keybd }),
    });
    this.inputSize = koffi.sizeof(input);
    this.sendInput = user32.func('uint32 __stdcall SendInput(uint32 count, LL_INPUT *inputs, int size)');
    this.setCursorPos = user32.func('int __stdcall SetCursorPos(int x, int y)');
    this.vkKeyScan = user32.func('int16 __stdcall VkKeyScanW(uint16 ch)');
    this.mapVirtualKey = user32.func('uint32 __stdcall MapVirtualKeyW(uint32 code, uint32 type)');
  }

  private send(inputs: Input[]) {
    this.sendInput(inputs.length, inputs, this.inputSize);
  }

  private mouse(dwFlags: number, mouseData = 0): Input {
    return { type: INPUT_MOUSE, u: { mi: { dx: 0, dy: 0, mouseData, dwFlags, time: 0, dwExtraInfo: 0 } } };
  }

  motion(x: number, y: number) {
    this.setCursorPos(Math.round(x), Math.round(y));
  }

  button(button: number, down: boolean) {
    switch (button) {
      case 1:
        return this.send([this.mouse(down ? MOUSE.LEFTDOWN : MOUSE.LEFTUP)]);
      case 2:
        return this.send([this.mouse(down ? MOUSE.MIDDLEDOWN : MOUSE.MIDDLEUP)]);
      case 3:
        return this.send([this.mouse(down ? MOUSE.RIGHTDOWN : MOUSE.RIGHTUP)]);
    }
    // The wheel: one notch per press of X's buttons 4–7; their releases carry nothing.
    if (!down) return;
    // mouseData is a DWORD holding a signed delta.
    const notch = (sign: number) => (sign * WHEEL_DELTA) >>> 0;
    if (button === 4) this.send([this.mouse(MOUSE.WHEEL, notch(1))]);
    if (button === 5) this.send([this.mouse(MOUSE.WHEEL, notch(-1))]);
    if (button === 6) this.send([this.mouse(MOUSE.HWHEEL, notch(-1))]);
    if (button === 7) this.send([this.mouse(MOUSE.HWHEEL, notch(1))]);
  }

  keycodeFor(keysym: number) {
    if (!this.keys.has(keysym))
      this.keys.set(
        keysym,
        keyForKeysym(keysym, (c) => this.vkKeyScan(c)),
      );
    return this.keys.get(keysym);
  }

  key(keycode: number, down: boolean) {
    const up = down ? 0 : KEY.KEYUP;
    if (keycode >= UNICODE_BASE) {
      // Unicode input: one event per UTF-16 unit, a character outside the BMP as its surrogate pair.
      const units = String.fromCodePoint(keycode - UNICODE_BASE);
      const inputs: Input[] = [];
      for (let i = 0; i < units.length; i++) {
        const ki = { wVk: 0, wScan: units.charCodeAt(i), dwFlags: KEY.UNICODE | up, time: 0, dwExtraInfo: 0 };
        inputs.push({ type: INPUT_KEYBOARD, u: { ki } });
      }
      return this.send(inputs);
    }
    const scan = this.mapVirtualKey(keycode, 0);
    const extended = isExtended(keycode) ? KEY.EXTENDEDKEY : 0;
    const ki = { wVk: keycode, wScan: scan, dwFlags: extended | up, time: 0, dwExtraInfo: 0 };
    this.send([{ type: INPUT_KEYBOARD, u: { ki } }]);
  }

  close() {}
}
