/**
 * The seam between QuickSupport's platform-neutral core (hub socket, consent,
 * WebRTC, adaptive ladder, control validation: session.ts and what it uses)
 * and one kind of desktop. An adapter answers four questions: how to see the
 * screen (a capture ffmpeg can read), how to inject input, how to show the
 * consent page, and how to put an SOS shortcut on the desktop. `x11` and
 * `windows` exist; a macOS adapter would fill the same four (see
 * docs/ARCHITECTURE.md, "QuickSupport platforms").
 */

import type { ClipboardAdapter } from './clipboard.js';

/**
 * Where injected input lands. Keys are named by X keysyms everywhere in the
 * core (keys.ts): one vocabulary for every adapter, each mapping it to its
 * own key codes (X keycodes, Windows virtual keys or Unicode input).
 */
export interface InputSink {
  readonly width: number;
  readonly height: number;
  motion(x: number, y: number): void;
  /** X numbering: 1 left, 2 middle, 3 right; 4/5 wheel up/down, 6/7 wheel left/right. */
  button(button: number, down: boolean): void;
  /**
   * The key that carries `keysym`. `shifted` tells the caller that the keysym
   * sits on the key's Shift level, so text entry can hold Shift for it.
   * Undefined: no key of this keymap carries it.
   */
  keycodeFor(keysym: number): { keycode: number; shifted: boolean } | undefined;
  key(keycode: number, down: boolean): void;
  close(): void;
}

/** The screen as ffmpeg reads it: the input options of the platform's grabber. */
export interface ScreenCapture {
  readonly width: number;
  readonly height: number;
  /** The ffmpeg program to run. */
  readonly ffmpeg: string;
  /** ffmpeg's input options grabbing `width` × `height` from the top-left corner at `fps`. */
  input(fps: number, width: number, height: number): string[];
  /** The option that sends each frame as captured (its name changed in ffmpeg 5.1). */
  readonly passthrough: string[];
}

/** What the core asks of one platform. */
export interface Platform {
  readonly name: 'x11' | 'windows';
  /** Opens the desktop: input injection, capture and the clipboard, or a readable Error saying why not. */
  openDesktop(): Promise<{ sink: InputSink; capture: ScreenCapture; clipboard: ClipboardAdapter }>;
  /** Opens the local consent page in the person's browser. */
  openBrowser(url: string): void;
  /** Puts the module's SOS shortcut on the desktop and answers its path. */
  installSos(moduleLink: URL): Promise<string>;
}
