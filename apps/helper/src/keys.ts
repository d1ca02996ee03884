/**
 * DOM keyboard events to X keysyms. A key that types a character goes by
 * that character (`KeyboardEvent.key`), so the agent's layout decides what
 * is typed, whatever the customer's keymap; every other key (Enter, arrows,
 * modifiers, F-keys) goes by its physical `code`.
 */

export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Delete: 0xffff,
  Home: 0xff50,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  Page_Up: 0xff55,
  Page_Down: 0xff56,
  End: 0xff57,
  Insert: 0xff63,
  Menu: 0xff67,
  Num_Lock: 0xff7f,
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Control_R: 0xffe4,
  Caps_Lock: 0xffe5,
  Alt_L: 0xffe9,
  Alt_R: 0xffea,
  Super_L: 0xffeb,
  Super_R: 0xffec,
  ISO_Level3_Shift: 0xfe03,
  F1: 0xffbe,
  KP_0: 0xffb0,
  space: 0x20,
} as const;

const NAMED_CODES: Record<string, number> = {
  Backspace: XK.BackSpace,
  Tab: XK.Tab,
  Enter: XK.Return,
  NumpadEnter: 0xff8d,
  Escape: XK.Escape,
  Delete: XK.Delete,
  Home: XK.Home,
  End: XK.End,
  PageUp: XK.Page_Up,
  PageDown: XK.Page_Down,
  Insert: XK.Insert,
  ArrowLeft: XK.Left,
  ArrowUp: XK.Up,
  ArrowRight: XK.Right,
  ArrowDown: XK.Down,
  ContextMenu: XK.Menu,
  NumLock: XK.Num_Lock,
  ShiftLeft: XK.Shift_L,
  ShiftRight: XK.Shift_R,
  ControlLeft: XK.Control_L,
  ControlRight: XK.Control_R,
  CapsLock: XK.Caps_Lock,
  AltLeft: XK.Alt_L,
  // AltGr on most layouts; on a US layout X maps both to Alt.
  AltRight: XK.ISO_Level3_Shift,
  MetaLeft: XK.Super_L,
  MetaRight: XK.Super_R,
  Space: XK.space,
  Minus: 0x2d,
  Equal: 0x3d,
  BracketLeft: 0x5b,
  BracketRight: 0x5d,
  Backslash: 0x5c,
  IntlBackslash: 0x3c,
  Semicolon: 0x3b,
  Quote: 0x27,
  Backquote: 0x60,
  Comma: 0x2c,
  Period: 0x2e,
  Slash: 0x2f,
  NumpadAdd: 0xffab,
  NumpadSubtract: 0xffad,
  NumpadMultiply: 0xffaa,
  NumpadDivide: 0xffaf,
  NumpadDecimal: 0xffae,
};

/** DOM `key` names of keys whose `code` we do not know (e.g. media keys are left out on purpose). */
const NAMED_KEYS: Record<string, number> = {
  Enter: XK.Return,
  Backspace: XK.BackSpace,
  Tab: XK.Tab,
  Escape: XK.Escape,
  Delete: XK.Delete,
  Shift: XK.Shift_L,
  Control: XK.Control_L,
  Alt: XK.Alt_L,
  AltGraph: XK.ISO_Level3_Shift,
  Meta: XK.Super_L,
};

/** The keysym of one character: Latin-1 keysyms equal the code point, the rest are 0x01000000 + code point. */
export function charToKeysym(char: string): number | undefined {
  if (char === '\n' || char === '\r') return XK.Return;
  if (char === '\t') return XK.Tab;
  const cp = char.codePointAt(0);
  if (cp === undefined || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp > 0x10ffff) return undefined;
  if (cp <= 0xff) return cp;
  return 0x01000000 + cp;
}

/** The character a keysym stands for (the inverse of charToKeysym for printable characters). */
export function charOfKeysym(keysym: number): string | undefined {
  if ((keysym >= 0x20 && keysym < 0x7f) || (keysym >= 0xa0 && keysym <= 0xff))
    return String.fromCodePoint(keysym);
  const cp = keysym - 0x01000000;
  if (cp >= 0x100 && cp <= 0x10ffff) return String.fromCodePoint(cp);
  return undefined;
}

/** The keysym for a DOM key event, or undefined for a key this helper does not inject. */
export function domKeyToKeysym(code: string, key: string): number | undefined {
  if ([...key].length === 1) return charToKeysym(key);
  return codeToKeysym(code) ?? NAMED_KEYS[key];
}

/** The keysym a physical key carries unshifted on a US layout. */
function codeToKeysym(code: string): number | undefined {
  const letter = /^Key([A-Z])$/.exec(code);
  if (letter) return (letter[1] as string).toLowerCase().charCodeAt(0);
  const digit = /^Digit([0-9])$/.exec(code);
  if (digit) return (digit[1] as string).charCodeAt(0);
  const fn = /^F([1-9]|1[0-9]|2[0-4])$/.exec(code);
  if (fn) return XK.F1 + Number(fn[1]) - 1;
  const numpad = /^Numpad([0-9])$/.exec(code);
  if (numpad) return XK.KP_0 + Number(numpad[1]);
  return NAMED_CODES[code];
}

/** X pointer buttons: 1 left, 2 middle, 3 right; the wheel is buttons 4/5 (up/down) and 6/7 (left/right). */
export const BUTTONS = { left: 1, middle: 2, right: 3 } as const;
export const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;
