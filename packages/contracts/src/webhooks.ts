import { z } from 'zod';
import { id, paginationQuery, timestamp } from './common.js';

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

export const createWebhookRequest = z.strictObject({
  url: webhookUrl,
  events: eventList,
  enabled: z.boolean().default(true),
  description: z.string().trim().max(200).optional(),
});
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
  });
export type UpdateWebhookRequest = z.input<typeof updateWebhookRequest>;

export const webhookSchema = z.object({
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
});
export type Webhook = z.infer<typeof webhookSchema>;
/** Only the answer to create carries the signing secret. */
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;

export const webhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export const webhookDeliverySchema = z.object({
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
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const listDeliveriesQuery = z.strictObject({ ...paginationQuery });
