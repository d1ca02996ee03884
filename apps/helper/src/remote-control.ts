import { type ControlInput, controlInput } from '@lifeline/contracts';
import { BUTTONS, charToKeysym, domKeyToKeysym, WHEEL, XK } from './keys.js';
import type { InputSink } from './platform.js';

const SHIFT_KEYSYM = XK.Shift_L;
const SHIFT_R_KEYSYM = XK.Shift_R;

export type Outcome = 'injected' | 'not-granted' | 'invalid' | 'unmapped';

/**
 * The gate between the agent's data channel and the display. Every message
 * is parsed against the contract; nothing reaches the sink unless the person
 * at this computer granted control, and taking control back lets go of every
 * key and button the agent was holding, so none stays stuck down.
 */
export class RemoteControl {
  private granted = false;
  private readonly heldKeys = new Set<number>();
  private readonly heldButtons = new Set<number>();
  readonly counts: Record<Outcome, number> = { injected: 0, 'not-granted': 0, invalid: 0, unmapped: 0 };

  constructor(private readonly sink: InputSink) {}

  setGranted(granted: boolean) {
    if (!granted) this.releaseAll();
    this.granted = granted;
  }

  /** One raw data channel message (a JSON string); answers what became of it. */
  handle(raw: unknown): Outcome {
    const outcome = this.decide(raw);
    this.counts[outcome]++;
    return outcome;
  }

  private decide(raw: unknown): Outcome {
    let json: unknown;
    try {
      json = typeof raw === 'string' && raw.length <= 8192 ? JSON.parse(raw) : undefined;
    } catch {
      return 'invalid';
    }
    const parsed = controlInput.safeParse(json);
    if (!parsed.success) return 'invalid';
    if (!this.granted) return 'not-granted';
    return this.inject(parsed.data);
  }

  private point(x: number, y: number) {
    // Fractions of the picture; the last pixel is width - 1.
    return [x * (this.sink.width - 1), y * (this.sink.height - 1)] as const;
  }

  private inject(input: ControlInput): Outcome {
    switch (input.type) {
      case 'move':
        this.sink.motion(...this.point(input.x, input.y));
        return 'injected';
      case 'button': {
        const button = BUTTONS[input.button];
        this.sink.motion(...this.point(input.x, input.y));
        if (input.down) this.heldButtons.add(button);
        else if (!this.heldButtons.delete(button)) return 'injected';
        this.sink.button(button, input.down);
        return 'injected';
      }
      case 'wheel': {
        const clicks = (n: number, negative: number, positive: number) => {
          for (let i = 0; i < Math.abs(n); i++) {
            const b = n < 0 ? negative : positive;
            this.sink.button(b, true);
            this.sink.button(b, false);
          }
        };
        clicks(input.dy, WHEEL.up, WHEEL.down);
        clicks(input.dx, WHEEL.left, WHEEL.right);
        return 'injected';
      }
      case 'key': {
        const keysym = domKeyToKeysym(input.code, input.key);
        const key = keysym === undefined ? undefined : this.sink.keycodeFor(keysym);
        if (!key) return 'unmapped';
        if (!input.down) {
          if (this.heldKeys.delete(key.keycode)) this.sink.key(key.keycode, false);
          return 'injected';
        }
        // A character on the Shift level ("H", "!") typed without the agent holding Shift — the agent's
        // layout puts it elsewhere, or the browser sent the character alone — gets Shift for its press.
        const shift = key.shifted ? this.shiftToAdd() : undefined;
        if (shift !== undefined) this.sink.key(shift, true);
        this.sink.key(key.keycode, true);
        if (shift !== undefined) this.sink.key(shift, false);
        this.heldKeys.add(key.keycode);
        return 'injected';
      }
      case 'text':
        return this.type(input.text);
      case 'release-all':
        this.releaseAll();
        return 'injected';
    }
  }

  /** The Shift key to hold around one press, unless the agent holds a Shift already. */
  private shiftToAdd(): number | undefined {
    const left = this.sink.keycodeFor(SHIFT_KEYSYM);
    const right = this.sink.keycodeFor(SHIFT_R_KEYSYM);
    if ((left && this.heldKeys.has(left.keycode)) || (right && this.heldKeys.has(right.keycode)))
      return undefined;
    return left?.keycode;
  }

  /** Types text as it is: Shift is held for characters on the Shift level. */
  private type(text: string): Outcome {
    let typedAny = false;
    for (const char of text) {
      const keysym = charToKeysym(char);
      const key = keysym === undefined ? undefined : this.sink.keycodeFor(keysym);
      if (!key) continue;
      const shift = key.shifted ? this.shiftToAdd() : undefined;
      if (shift !== undefined) this.sink.key(shift, true);
      this.sink.key(key.keycode, true);
      this.sink.key(key.keycode, false);
      if (shift !== undefined) this.sink.key(shift, false);
      typedAny = true;
    }
    return typedAny ? 'injected' : 'unmapped';
  }

  releaseAll() {
    for (const keycode of this.heldKeys) this.sink.key(keycode, false);
    for (const button of this.heldButtons) this.sink.button(button, false);
    this.heldKeys.clear();
    this.heldButtons.clear();
  }
}
