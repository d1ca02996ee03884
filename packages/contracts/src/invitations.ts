import { z } from 'zod';
import { actorSchema, sessionCode } from './cases.js';
import { id, paginationQuery, timestamp } from './common.js';

export const invitationChannel = z.enum(['email', 'sms']);
export type InvitationChannel = z.infer<typeof invitationChannel>;
/** SPEC §7: `failed` carries the provider's reason in `error`. */
export const deliveryStatus = z.enum(['queued', 'sent', 'failed']);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;
/**
 * How a message leaves: through the configured SMTP server or SMS provider, or
 * `local` when none is configured — it then stays `queued` in the local outbox
 * for admins to read (`GET /api/v1/outbox`).
 */
export const invitationTransport = z.enum(['smtp', 'twilio', 'http', 'local']);
export type InvitationTransport = z.infer<typeof invitationTransport>;

const agentMessage = z.string().trim().min(1).max(500);

export const createInvitationRequest = z
  .discriminatedUnion('channel', [
    z.strictObject({
      channel: z.literal('email'),
      to: z.email().max(254),
      message: agentMessage.optional(),
    }),
    z.strictObject({
      channel: z.literal('sms'),
      /** Normalised to E.164; numbers without a country code use the server's default region. */
      to: z.string().trim().min(3).max(40),
      message: agentMessage.optional(),
    }),
  ])
  .meta({ id: 'CreateInvitationRequest' });
export type CreateInvitationRequest = z.input<typeof createInvitationRequest>;

export const invitationSchema = z
  .object({
    id,
    caseCode: sessionCode,
    channel: invitationChannel,
    /** The e-mail address, or the phone number in E.164. */
    to: z.string(),
    message: z.string().nullable(),
    status: deliveryStatus,
    transport: invitationTransport,
    /** Why the last attempt failed (the provider's reason); kept while retrying, final once `failed`. */
    error: z.string().nullable(),
    attempts: z.number().int(),
    createdBy: actorSchema,
    createdAt: timestamp,
    sentAt: timestamp.nullable(),
  })
  .meta({ id: 'Invitation' });
export type Invitation = z.infer<typeof invitationSchema>;

/** An outbox entry as admins read it: the invitation plus exactly what is (or would be) sent. */
export const outboxMessageSchema = invitationSchema
  .extend({
    subject: z.string().nullable(),
    text: z.string(),
    html: z.string().nullable(),
  })
  .meta({ id: 'OutboxMessage' });
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;

export const listOutboxQuery = z.strictObject({
  ...paginationQuery,
  status: deliveryStatus.optional(),
  transport: invitationTransport.optional(),
});
export type ListOutboxQuery = z.input<typeof listOutboxQuery>;
