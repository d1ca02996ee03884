import { z } from 'zod';

/**
 * Remote control through the desktop helper (QuickSupport).
 *
 * Granting goes through the realtime hub, so both pages and the audit of the
 * session see it: the agent sends `control` (request / release), the helper
 * answers with `control-state`. The input events themselves travel over the
 * WebRTC data channel `control` straight to the helper, which validates every
 * one of them against `controlInput` and injects nothing unless it granted
 * control.
 */

/**
 * Where control stands, as the customer's helper reports it. A browser
 * customer never sends it: an agent who has heard no `control-state` knows
 * the customer cannot be controlled.
 */
export const controlState = z.enum(['off', 'requested', 'granted', 'denied']);
export type ControlState = z.infer<typeof controlState>;
export const controlAction = z.enum(['request', 'release']);
export type ControlAction = z.infer<typeof controlAction>;

/** Pointer positions are fractions of the shared picture, like the annotation pointer. */
const fraction = z.number().min(0).max(1);
export const mouseButton = z.enum(['left', 'middle', 'right']);
export type MouseButton = z.infer<typeof mouseButton>;
/** One wheel notch is one unit; a burst of more than this in one event is not a person scrolling. */
const notches = z.number().int().min(-20).max(20);

export const controlInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('move'), x: fraction, y: fraction }),
  z.strictObject({
    type: z.literal('button'),
    button: mouseButton,
    down: z.boolean(),
    x: fraction,
    y: fraction,
  }),
  z.strictObject({ type: z.literal('wheel'), dx: notches, dy: notches }),
  /**
   * A key press. A key that types a character goes by its DOM `key` (the
   * agent's layout wins; the helper adds Shift where the customer's keymap
   * needs it); any other key (Enter, arrows, modifiers) by its DOM `code`.
   */
  z.strictObject({
    type: z.literal('key'),
    code: z.string().regex(/^[A-Za-z0-9]{0,32}$/, 'must be a DOM KeyboardEvent.code'),
    key: z.string().min(1).max(32),
    down: z.boolean(),
  }),
  /** Text typed as it is (pasted, or entered in the agent's text field), character by character. */
  z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(2000) }),
  /** Lets go of every key and button the agent holds, e.g. when their window loses focus. */
  z.strictObject({ type: z.literal('release-all') }),
]);
export type ControlInput = z.infer<typeof controlInput>;

/**
 * The customer's clipboard (text), through the helper, on the same `control`
 * channel: one request per click of the agent, never automatic. The helper
 * answers each one, and refuses unless control is granted at that moment; the
 * person at the computer sees a line for each transfer.
 */
export const CLIPBOARD_MAX_CHARS = 50_000;
const requestId = z.string().min(1).max(64);
export const clipboardRequest = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('clipboard-write'),
    id: requestId,
    text: z.string().max(CLIPBOARD_MAX_CHARS),
  }),
  z.strictObject({ type: z.literal('clipboard-read'), id: requestId }),
]);
export type ClipboardRequest = z.infer<typeof clipboardRequest>;
export const clipboardReply = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('clipboard-written'), id: requestId }),
  z.strictObject({
    type: z.literal('clipboard-text'),
    id: requestId,
    text: z.string().max(CLIPBOARD_MAX_CHARS),
    /** The clipboard held more than CLIPBOARD_MAX_CHARS: `text` is its beginning. */
    truncated: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('clipboard-refused'),
    id: requestId,
    /** `not-granted`: control is not granted now; `unavailable`: this desktop offers no clipboard to the helper. */
    reason: z.enum(['not-granted', 'unavailable', 'failed']),
    message: z.string().max(500),
  }),
]);
export type ClipboardReply = z.infer<typeof clipboardReply>;
