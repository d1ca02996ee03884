import { describe, expect, it } from 'vitest';
import { charToKeysym, domKeyToKeysym, XK } from './keys.js';

describe('DOM keys to X keysyms', () => {
  it('maps keys that type a character by that character, so the layout of the agent decides what is typed', () => {
    expect(domKeyToKeysym('KeyA', 'a')).toBe(0x61);
    expect(domKeyToKeysym('KeyA', 'A')).toBe(0x41);
    expect(domKeyToKeysym('Digit1', '!')).toBe(0x21);
    expect(domKeyToKeysym('KeyY', 'z')).toBe(0x7a);
    expect(domKeyToKeysym('Space', ' ')).toBe(0x20);
  });

  it('maps modifiers, editing and navigation keys, and function keys', () => {
    expect(domKeyToKeysym('ShiftLeft', 'Shift')).toBe(XK.Shift_L);
    expect(domKeyToKeysym('ControlRight', 'Control')).toBe(XK.Control_R);
    expect(domKeyToKeysym('AltLeft', 'Alt')).toBe(XK.Alt_L);
    expect(domKeyToKeysym('MetaLeft', 'Meta')).toBe(XK.Super_L);
    expect(domKeyToKeysym('Enter', 'Enter')).toBe(XK.Return);
    expect(domKeyToKeysym('Backspace', 'Backspace')).toBe(XK.BackSpace);
    expect(domKeyToKeysym('ArrowUp', 'ArrowUp')).toBe(XK.Up);
    expect(domKeyToKeysym('F1', 'F1')).toBe(0xffbe);
    expect(domKeyToKeysym('F12', 'F12')).toBe(0xffc9);
    expect(domKeyToKeysym('Slash', '/')).toBe(0x2f);
  });

  it('types characters from keys whose code it does not know, and refuses other keys it does not know', () => {
    expect(domKeyToKeysym('', 'é')).toBe(0xe9);
    expect(domKeyToKeysym('Lang1', 'AudioVolumeUp')).toBeUndefined();
    expect(domKeyToKeysym('', 'Enter')).toBe(XK.Return);
  });

  it('gives Latin-1 characters their code point and the rest the Unicode keysym range', () => {
    expect(charToKeysym('a')).toBe(0x61);
    expect(charToKeysym('ü')).toBe(0xfc);
    expect(charToKeysym('€')).toBe(0x010020ac);
    expect(charToKeysym('\n')).toBe(XK.Return);
    expect(charToKeysym('\u0007')).toBeUndefined();
  });
});
