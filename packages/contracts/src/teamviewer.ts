import { z } from 'zod';
import { caseDescription, sessionCode, waitingMessage } from './cases.js';

/**
 * The TeamViewer-compatible sessions API (docs/TEAMVIEWER-API.md): TeamViewer's
 * Web API shapes for service cases ("sessions"), snake_case, so integrations
 * written for it switch to Lifeline by changing the base URL and the token.
 */

/** A TeamViewer-style user id: `u` and the Lifeline user id's 32 hex digits; `u0` means nobody. */
export const tvUserId = z.string().regex(/^u(0|[0-9a-f]{32})$/, 'must be a user id like u0123…');
/** A TeamViewer-style group id: `g` and the Lifeline group id's 32 hex digits. */
export const tvGroupId = z.string().regex(/^g[0-9a-f]{32}$/, 'must be a group id like g0123…');

const endCustomerObject = z.strictObject({
  name: z.string().trim().max(200).optional(),
  email: z.union([z.email().max(254), z.literal('')]).optional(),
});
/** Some clients send the end customer as a plain name. */
export const tvEndCustomer = z.union([endCustomerObject, z.string().trim().max(200)]);

export const tvCustomApi = z.string().max(4000);

export const tvCreateSessionRequest = z
  .object({
    groupid: tvGroupId.optional(),
    groupname: z.string().trim().min(1).max(200).optional(),
    description: caseDescription.optional(),
    end_customer: tvEndCustomer.optional(),
    waiting_message: waitingMessage.optional(),
    assigned_userid: tvUserId.optional(),
    custom_api: tvCustomApi.optional(),
  })
  .refine((b) => b.groupid !== undefined || b.groupname !== undefined, {
    message: 'groupid or groupname is required',
    path: ['groupid'],
  });

export const tvUpdateSessionRequest = z.object({
  groupid: tvGroupId.optional(),
  groupname: z.string().trim().min(1).max(200).optional(),
  description: caseDescription.optional(),
  end_customer: tvEndCustomer.optional(),
  waiting_message: waitingMessage.optional(),
  assigned_userid: tvUserId.optional(),
  custom_api: tvCustomApi.optional(),
  /** `closed` closes the session; `open` leaves it as it is. */
  state: z.enum(['open', 'closed']).optional(),
});

export const tvListSessionsQuery = z.object({
  groupid: tvGroupId.optional(),
  assigned_userid: tvUserId.optional(),
  /** `open`, `closed`, or both separated by a comma. */
  state: z
    .string()
    .regex(/^(open|closed)(,(open|closed))?$/, 'must be open, closed or open,closed')
    .optional(),
  /** Accepted for compatibility; the full record is always returned. */
  full_list: z.enum(['true', 'false']).optional(),
  /** The code of the first session of the page, as the previous page's `next_offset` gave it. */
  offset: sessionCode.optional(),
});

export const tvSessionParams = z.object({ code: sessionCode });

export const tvSession = z
  .object({
    code: sessionCode,
    state: z.enum(['open', 'closed']),
    online: z.boolean(),
    groupid: tvGroupId,
    groupname: z.string(),
    waiting_message: z.string().optional(),
    description: z.string().optional(),
    end_customer: z.object({ name: z.string().optional(), email: z.string().optional() }).optional(),
    assigned_userid: tvUserId.optional(),
    assigned_at: z.string().optional(),
    end_customer_link: z.url(),
    supporter_link: z.url(),
    webclient_supporter_link: z.url(),
    custom_api: z.string().optional(),
    created_at: z.string(),
    valid_until: z.string(),
    closed_at: z.string().optional(),
  })
  .meta({ id: 'TeamViewerSession' });
export type TvSession = z.infer<typeof tvSession>;

export const tvSessionList = z.object({
  sessions: z.array(tvSession),
  next_offset: sessionCode.optional(),
  sessions_remaining: z.number().int().nonnegative(),
});

/** TeamViewer's error body, which its client libraries read (`error`, `error_description`). */
export const tvError = z
  .object({
    error: z.string(),
    error_description: z.string(),
    error_code: z.number().int(),
  })
  .meta({ id: 'TeamViewerError' });
export type TvError = z.infer<typeof tvError>;
