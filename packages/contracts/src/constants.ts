/**
 * The contract's plain values, without zod: the customer's pages import them from
 * `@lifeline/contracts/constants` so that no schema (and not zod itself) rides in
 * the bundle they load before their first paint. The schema modules use them too.
 */

/** Close codes the hub uses, in the application range 4000–4999. */
export const closeCodes = {
  ended: 4000,
  unauthenticated: 4001,
  notFound: 4004,
  gone: 4010,
  forbiddenOrigin: 4003,
  /**
   * The user's access changed (signed out, deactivated, password changed, a token revoked): the
   * socket is closed and a page reconnects, authenticating afresh; only a still-valid sign-in gets back in.
   */
  accessChanged: 4011,
  /**
   * The agent's connection moved to another socket of theirs (the agent client took over the socket
   * its queue opened on "Connect"): the old socket has nothing left to do.
   */
  moved: 4012,
} as const;

/** The remote-control data channel's label, agreed by both sides. */
export const CONTROL_CHANNEL = 'control';

/** The longest frozen frame, as a data URL: with the message around it, it fits the hub's 256 KiB message limit. */
export const FREEZE_FRAME_MAX_CHARS = 240_000;

/** The longest description a customer may send with a QuickSupport module's request. */
export const MAX_CUSTOMER_DESCRIPTION = 2000;

export { FILES_CHANNEL, formatBytes, readFileMessage } from './file-messages.js';

/** The id of the element (JSON data, never run) in which the server sends `/j/{token}` with the page's join answer. */
export const JOIN_ANSWER_ID = 'join-answer';
