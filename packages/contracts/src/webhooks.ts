import { z } from 'zod';
import {
  actorSchema,
  caseOutcomeSchema,
  caseSchema,
  caseSource,
  caseStatus,
  caseType,
  sessionCode,
} from './cases.js';
import { id, paginationQuery, timestamp } from './common.js';
import { invitationSchema } from './invitations.js';

export const webhookEventType = z.enum([
  'case.created',
  'case.status_changed',
  'case.assigned',
  'case.closed',
  'case.expired',
  'case.deleted',
  'connection.started',
  'connection.ended',
  'invitation.sent',
  'invitation.failed',
]);
export type WebhookEventType = z.infer<typeof webhookEventType>;

const webhookUrl = z.url({ protocol: /^https?$/ }).max(2000);
const eventList = z
  .array(webhookEventType)
  .min(1)
  .max(webhookEventType.options.length)
  .transform((v) => [...new Set(v)]);

export const createWebhookRequest = z
  .strictObject({
    url: webhookUrl,
    events: eventList,
    enabled: z.boolean().default(true),
    description: z.string().trim().max(200).optional(),
  })
  .meta({ id: 'CreateWebhookRequest' });
export type CreateWebhookRequest = z.input<typeof createWebhookRequest>;

export const updateWebhookRequest = z
  .strictObject({
    url: webhookUrl,
    events: eventList,
    /** Turning an endpoint back on also resets its count of consecutive failures. */
    enabled: z.boolean(),
    description: z.string().trim().max(200).nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, {
    message: 'at least one field is required',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateWebhookRequest' });
export type UpdateWebhookRequest = z.input<typeof updateWebhookRequest>;

export const webhookSchema = z
  .object({
    id,
    url: z.string(),
    events: z.array(webhookEventType),
    enabled: z.boolean(),
    description: z.string().nullable(),
    /** Failed attempts since the last success; the endpoint is disabled when it reaches the server's limit. */
    consecutiveFailures: z.number().int(),
    /** Why the server disabled the endpoint, or null. */
    disabledReason: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof webhookSchema>;
/** Only the answer to create carries the signing secret. */
export const createdWebhookSchema = webhookSchema
  .extend({ secret: z.string() })
  .meta({ id: 'CreatedWebhook' });
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;

export const webhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export const webhookDeliverySchema = z
  .object({
    id,
    /** Stable across retries and endpoints: receivers de-duplicate on it. */
    eventId: id,
    eventType: webhookEventType,
    status: webhookDeliveryStatus,
    attempts: z.number().int(),
    /** HTTP status of the last attempt, or null when it got no answer. */
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: timestamp.nullable(),
    createdAt: timestamp,
    deliveredAt: timestamp.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const listDeliveriesQuery = z.strictObject({ ...paginationQuery });

/** What one notification's `data` holds, by event (docs/WEBHOOKS.md). */
const caseEvent = <S extends z.ZodRawShape>(shape: S) =>
  z.object({
    /** The case as `GET /api/v1/cases/{code}` shows it (as it was, for `case.deleted`). */
    case: caseSchema,
    actor: actorSchema,
    ...shape,
  });
const webhookData = {
  'case.created': caseEvent({ name: z.string(), type: caseType, source: caseSource, groupId: id }),
  'case.status_changed': caseEvent({ from: caseStatus, to: caseStatus }),
  'case.assigned': caseEvent({ from: id.nullable(), to: id.nullable() }),
  /** `outcome`: the closing note, the chat transcript and the transfers, as `GET /api/v1/cases/{code}` shows them. */
  'case.closed': caseEvent({ from: caseStatus, outcome: caseOutcomeSchema }),
  'case.expired': caseEvent({ from: caseStatus, expiresAt: timestamp }),
  'case.deleted': caseEvent({ code: sessionCode }),
  'connection.started': caseEvent({ agentName: z.string().nullable() }),
  'connection.ended': caseEvent({ durationSeconds: z.number().int() }),
  'invitation.sent': z.object({ invitation: invitationSchema }),
  'invitation.failed': z.object({ invitation: invitationSchema }),
} satisfies Record<WebhookEventType, z.ZodType>;

const payloadName = (type: string) =>
  `Webhook${type
    .split(/[._]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;

/**
 * The JSON body Lifeline POSTs for each event type: the same `id` on every
 * retry and for every endpoint, so receivers de-duplicate on it.
 */
export const webhookPayloads = Object.fromEntries(
  webhookEventType.options.map((type) => [
    type,
    z
      .object({ id, type: z.literal(type), createdAt: timestamp, data: webhookData[type] })
      .meta({ id: payloadName(type) }),
  ]),
) as {
  [T in WebhookEventType]: z.ZodObject<{
    id: typeof id;
    type: z.ZodLiteral<T>;
    createdAt: typeof timestamp;
    data: (typeof webhookData)[T];
  }>;
};
export type WebhookPayload<T extends WebhookEventType = WebhookEventType> = z.infer<
  (typeof webhookPayloads)[T]
>;
