import { charOfKeysym, XK } from '../../keys.js';

/**
 * X keysyms (the core's key vocabulary) to Windows virtual keys. Keys that
 * type a character go through the keyboard layout (VkKeyScanW) so shortcuts
 * like Ctrl+C press the real key; a character no key types is sent as
 * Unicode input, the way Windows' own on-screen keyboard does.
 */

/** Key codes at or above this are Unicode characters (code point + base), not virtual keys. */
export const UNICODE_BASE = 0x1000000;

export const VK = {
  SHIFT_L: 0xa0,
  SHIFT_R: 0xa1,
  CONTROL_L: 0xa2,
  CONTROL_R: 0xa3,
  MENU_L: 0xa4,
  MENU_R: 0xa5,
  RETURN: 0x0d,
} as const;

const NAMED: Record<number, number> = {
  [XK.BackSpace]: 0x08,
  [XK.Tab]: 0x09,
  [XK.Return]: VK.RETURN,
  65421: VK.RETURN, // KP_Enter, extended
  [XK.Escape]: 0x1b,
  [XK.Delete]: 0x2e,
  [XK.Home]: 0x24,
  [XK.End]: 0x23,
  [XK.Left]: 0x25,
  [XK.Up]: 0x26,
  [XK.Right]: 0x27,
  [XK.Down]: 0x28,
  [XK.Page_Up]: 0x21,
  [XK.Page_Down]: 0x22,
  [XK.Insert]: 0x2d,
  [XK.Menu]: 0x5d,
  [XK.Num_Lock]: 0x90,
  [XK.Shift_L]: VK.SHIFT_L,
  [XK.Shift_R]: VK.SHIFT_R,
  [XK.Control_L]: VK.CONTROL_L,
  [XK.Control_R]: VK.CONTROL_R,
  [XK.Caps_Lock]: 0x14,
  [XK.Alt_L]: VK.MENU_L,
  [XK.Alt_R]: VK.MENU_R,
  // AltGr is the right Alt key on Windows layouts.
  [XK.ISO_Level3_Shift]: VK.MENU_R,
  [XK.Super_L]: 0x5b,
  [XK.Super_R]: 0x5c,
  65451: 0x6b, // KP_Add
  65453: 0x6d, // KP_Subtract
  65450: 0x6a, // KP_Multiply
  65455: 0x6f, // KP_Divide
  65454: 0x6e, // KP_Decimal
};
for (let i = 0; i < 24; i++) NAMED[XK.F1 + i] = 0x70 + i;
for (let i = 0; i < 10; i++) NAMED[XK.KP_0 + i] = 0x60 + i;

/** Keys Windows wants flagged "extended" (the grey cursor block, right-hand modifiers, Windows keys). */
const EXTENDED = new Set([
  0x2d, 0x2e, 0x24, 0x23, 0x21, 0x22, 0x25, 0x26, 0x27, 0x28, 0x5b, 0x5c, 0x5d, 0x6f,
]);
EXTENDED.add(VK.CONTROL_R).add(VK.MENU_R).add(0x90);

export function isExtended(vk: number, keysym?: number) {
  return EXTENDED.has(vk) || keysym === 0xff8d;
}

/**
 * The key for `keysym`: a named key's virtual key, a character's key on this
 * layout (`vkKeyScan` answers VkKeyScanW's value: low byte the key, high byte
 * the modifiers it needs), else the character as Unicode input.
 */
export function keyForKeysym(
  keysym: number,
  vkKeyScan: (char: number) => number,
): { keycode: number; shifted: boolean } | undefined {
  const named = NAMED[keysym];
  if (named !== undefined) return { keycode: named, shifted: false };
  const char = charOfKeysym(keysym);
  if (char === undefined) return undefined;
  const cp = char.codePointAt(0) as number;
  if (cp <= 0xffff) {
    const scan = vkKeyScan(cp);
    // Only Shift is held for a character; one needing Ctrl or Alt (AltGr layouts) goes as Unicode.
    if (scan !== -1 && scan !== 0xffff && scan >> 8 <= 1)
      return { keycode: scan & 0xff, shifted: scan >> 8 === 1 };
  }
  return { keycode: UNICODE_BASE + cp, shifted: false };
}
