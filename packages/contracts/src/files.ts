import { z } from 'zod';

/**
 * File transfer between the agent's and the customer's browsers.
 *
 * Files travel over the WebRTC data channel `files`, peer to peer: the hub
 * never sees a byte of them. The customer's page opens the channel, and only
 * to an agent the customer allowed, so an agent the customer did not allow
 * has no way to send or ask for anything.
 *
 * On the (ordered, reliable) channel, text frames are the JSON messages below
 * and binary frames are file bytes. A sender sends one file at a time:
 * `begin` names the file whose bytes follow, `end` says they are all sent.
 *
 *   sender                       receiver
 *   offer {id,name,size,type} →
 *                              ← accept {id} | decline {id}
 *   begin {id}, bytes…, end {id} →
 *                              ← received {id}
 *   either side, at any time:    cancel {id}
 *
 * `request` asks the other side to pick a file; its answer is an offer
 * naming the request in `replyTo` (taken without asking again: the asker
 * wanted it), or `request-declined`.
 */

const id = z.string().min(1).max(64);

export const fileMessage = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('offer'),
    id,
    name: z.string().min(1).max(255),
    size: z.number().int().nonnegative(),
    type: z.string().max(255),
    replyTo: id.optional(),
  }),
  z.strictObject({ t: z.literal('accept'), id }),
  /** `tooLarge`: refused because of the size limit, not by the person. */
  z.strictObject({ t: z.literal('decline'), id, tooLarge: z.boolean().optional() }),
  z.strictObject({ t: z.literal('begin'), id }),
  z.strictObject({ t: z.literal('end'), id }),
  z.strictObject({ t: z.literal('received'), id }),
  z.strictObject({ t: z.literal('cancel'), id }),
  z.strictObject({ t: z.literal('request'), id }),
  z.strictObject({ t: z.literal('request-declined'), id }),
]);
export type FileMessage = z.infer<typeof fileMessage>;
