import { describe, expect, it } from 'vitest';
import { XK } from './keys.js';
import type { InputSink } from './platform.js';
import { RemoteControl } from './remote-control.js';

/** A keymap like a US keyboard's for the keys these tests use; records what would be injected. */
class RecordingSink implements InputSink {
  readonly width = 1001;
  readonly height = 501;
  events: string[] = [];
  private readonly map = new Map<number, { keycode: number; shifted: boolean }>([
    [0x61, { keycode: 38, shifted: false }], // a
    [0x41, { keycode: 38, shifted: true }], // A
    [0x31, { keycode: 10, shifted: false }], // 1
    [0x21, { keycode: 10, shifted: true }], // !
    [XK.Shift_L, { keycode: 50, shifted: false }],
    [XK.Control_L, { keycode: 37, shifted: false }],
  ]);
  motion(x: number, y: number) {
    this.events.push(`move ${x},${y}`);
  }
  button(b: number, down: boolean) {
    this.events.push(`button ${b} ${down ? 'down' : 'up'}`);
  }
  keycodeFor(keysym: number) {
    return this.map.get(keysym);
  }
  key(keycode: number, down: boolean) {
    this.events.push(`key ${keycode} ${down ? 'down' : 'up'}`);
  }
  close() {}
}

const msg = (m: object) => JSON.stringify(m);

function granted() {
  const sink = new RecordingSink();
  const control = new RemoteControl(sink);
  control.setGranted(true);
  return { sink, control };
}

describe('remote control input', () => {
  it('injects nothing before the customer grants control', () => {
    const sink = new RecordingSink();
    const control = new RemoteControl(sink);
    expect(control.handle(msg({ type: 'move', x: 0.5, y: 0.5 }))).toBe('not-granted');
    expect(control.handle(msg({ type: 'key', code: 'KeyA', key: 'a', down: true }))).toBe('not-granted');
    expect(sink.events).toEqual([]);
  });

  it('refuses malformed, unknown and out-of-range events without injecting them', () => {
    const { sink, control } = granted();
    for (const raw of [
      'not json',
      msg({ type: 'move', x: 1.5, y: 0 }),
      msg({ type: 'move', x: 0.5, y: 0.5, extra: true }),
      msg({ type: 'exec', command: 'rm -rf /' }),
      msg({ type: 'wheel', dx: 0, dy: 1000 }),
      msg({ type: 'key', code: 'Key A;', key: 'a', down: true }),
      msg({ type: 'text', text: '' }),
      'x'.repeat(10_000),
      undefined,
    ]) {
      expect(control.handle(raw)).toBe('invalid');
    }
    expect(sink.events).toEqual([]);
    expect(control.counts.invalid).toBe(9);
  });

  it('puts the pointer on the same spot of the screen as on the picture', () => {
    const { sink, control } = granted();
    control.handle(msg({ type: 'move', x: 0, y: 0 }));
    control.handle(msg({ type: 'move', x: 0.5, y: 1 }));
    expect(sink.events).toEqual(['move 0,0', 'move 500,500']);
  });

  it('clicks where the button went down and scrolls one button press per wheel notch', () => {
    const { sink, control } = granted();
    control.handle(msg({ type: 'button', button: 'right', down: true, x: 0.1, y: 0.2 }));
    control.handle(msg({ type: 'button', button: 'right', down: false, x: 0.1, y: 0.2 }));
    control.handle(msg({ type: 'wheel', dx: 0, dy: -2 }));
    expect(sink.events).toEqual([
      'move 100,100',
      'button 3 down',
      'move 100,100',
      'button 3 up',
      'button 4 down',
      'button 4 up',
      'button 4 down',
      'button 4 up',
    ]);
  });

  it('presses keys with the modifiers the agent holds', () => {
    const { sink, control } = granted();
    control.handle(msg({ type: 'key', code: 'ControlLeft', key: 'Control', down: true }));
    control.handle(msg({ type: 'key', code: 'KeyA', key: 'a', down: true }));
    control.handle(msg({ type: 'key', code: 'KeyA', key: 'a', down: false }));
    control.handle(msg({ type: 'key', code: 'ControlLeft', key: 'Control', down: false }));
    expect(sink.events).toEqual(['key 37 down', 'key 38 down', 'key 38 up', 'key 37 up']);
  });

  it('holds Shift for a capital the browser sent without Shift, and not again while the agent holds it', () => {
    const { sink, control } = granted();
    control.handle(msg({ type: 'key', code: 'KeyA', key: 'A', down: true }));
    control.handle(msg({ type: 'key', code: 'KeyA', key: 'A', down: false }));
    expect(sink.events).toEqual(['key 50 down', 'key 38 down', 'key 50 up', 'key 38 up']);
    sink.events = [];
    control.handle(msg({ type: 'key', code: 'ShiftLeft', key: 'Shift', down: true }));
    control.handle(msg({ type: 'key', code: 'KeyA', key: 'A', down: true }));
    expect(sink.events).toEqual(['key 50 down', 'key 38 down']);
  });

  it('types text, holding Shift for the characters on the Shift level', () => {
    const { sink, control } = granted();
    expect(control.handle(msg({ type: 'text', text: 'a!' }))).toBe('injected');
    expect(sink.events).toEqual([
      'key 38 down',
      'key 38 up',
      'key 50 down',
      'key 10 down',
      'key 10 up',
      'key 50 up',
    ]);
  });

  it('lets go of every held key and button when the customer takes control back, and injects nothing after', () => {
    const { sink, control } = granted();
    control.handle(msg({ type: 'key', code: 'ShiftLeft', key: 'Shift', down: true }));
    control.handle(msg({ type: 'button', button: 'left', down: true, x: 0, y: 0 }));
    sink.events = [];
    control.setGranted(false);
    expect(sink.events).toEqual(['key 50 up', 'button 1 up']);
    expect(control.handle(msg({ type: 'key', code: 'KeyA', key: 'a', down: true }))).toBe('not-granted');
    expect(sink.events).toHaveLength(2);
  });

  it('ignores a release of a key that was never pressed, so nothing is released twice', () => {
    const { sink, control } = granted();
    control.handle(msg({ type: 'key', code: 'KeyA', key: 'a', down: false }));
    expect(sink.events).toEqual([]);
  });
});
