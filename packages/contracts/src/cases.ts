import { z } from 'zod';
import { id, paginationQuery, repeatable, timestamp } from './common.js';
import { recordingSchema } from './recordings.js';

/** `s` + 8 digits grouped `sDD-DDD-DDD`. */
export const sessionCode = z.string().regex(/^s\d{2}-\d{3}-\d{3}$/, 'must look like s12-345-678');
export const caseType = z.enum(['remote_control', 'ar']);
export type CaseType = z.infer<typeof caseType>;
export const caseStatus = z.enum(['new', 'pending', 'in_progress', 'closed', 'expired']);
export type CaseStatus = z.infer<typeof caseStatus>;
export const openStatuses = ['new', 'pending', 'in_progress'] as const satisfies readonly CaseStatus[];
export const caseSource = z.enum(['manual', 'api', 'module', 'sos', 'connector']);
export type CaseSource = z.infer<typeof caseSource>;

export const caseName = z.string().trim().min(1, 'is required').max(200);
export const caseDescription = z.string().max(4000);
export const waitingMessage = z.string().max(1000);

/** E.164-ish: digits with an optional leading +, spaces, dashes, dots and brackets as people type them. */
export const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[0-9 ()./-]{3,}$/, 'must be a phone number');

export const customerInput = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(254).optional(),
  phone: phone.optional(),
});
/** In a PATCH, a field left out stays as it is and `null` clears it. */
export const customerPatch = z.strictObject({
  name: z.string().trim().min(1).max(200).nullable().optional(),
  email: z.email().max(254).nullable().optional(),
  phone: phone.nullable().optional(),
});
export const customerSchema = z.object({
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});

export const externalRecord = z
  .strictObject({
    system: z.string().trim().min(1).max(64),
    type: z.string().trim().min(1).max(64),
    id: z.string().trim().min(1).max(200),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
  })
  .meta({ id: 'ExternalRecord' });
export type ExternalRecord = z.infer<typeof externalRecord>;

export const actorSchema = z
  .object({
    type: z.enum(['user', 'customer', 'system']),
    id: z.string().nullable(),
    name: z.string().nullable(),
  })
  .meta({ id: 'Actor' });
export type Actor = z.infer<typeof actorSchema>;

export const caseSchema = z
  .object({
    code: sessionCode,
    name: z.string(),
    description: z.string().nullable(),
    type: caseType,
    status: caseStatus,
    source: caseSource,
    groupId: id,
    assigneeId: id.nullable(),
    createdBy: actorSchema,
    customer: customerSchema,
    external: z
      .object({ system: z.string(), type: z.string(), id: z.string(), url: z.string().nullable() })
      .nullable(),
    waitingMessage: z.string().nullable(),
    links: z.object({ agent: z.url(), customer: z.url() }),
    presence: z.object({ agent: z.boolean(), customer: z.boolean() }),
    createdAt: timestamp,
    updatedAt: timestamp,
    expiresAt: timestamp,
    closedAt: timestamp.nullable(),
    closedBy: actorSchema.nullable(),
  })
  .meta({ id: 'Case' });
export type Case = z.infer<typeof caseSchema>;

/** One chat message of the session, as the case's audit trail keeps it. */
export const transcriptEntrySchema = z
  .object({
    from: z.enum(['agent', 'customer']),
    name: z.string().nullable(),
    text: z.string(),
    at: timestamp,
  })
  .meta({ id: 'TranscriptEntry' });
export type TranscriptEntry = z.infer<typeof transcriptEntrySchema>;

/** Which way a file or clipboard text went, seen from the session: the agent's side sent it, or the customer's. */
export const transferDirection = z.enum(['to_customer', 'from_customer']);
export type TransferDirection = z.infer<typeof transferDirection>;
/**
 * How a file transfer ended: `delivered` (the receiver confirmed every byte), `declined` (by the
 * receiver), `too_large` (over the receiver's limit, refused unasked), `cancelled` (by `cancelledBy`)
 * or `failed` (the connection broke, or the bytes did not add up).
 */
export const fileTransferResult = z.enum(['delivered', 'declined', 'too_large', 'cancelled', 'failed']);
export type FileTransferResult = z.infer<typeof fileTransferResult>;

/**
 * One file or clipboard transfer of the session, as the agent's page reported it
 * (the bytes go peer to peer; the server never sees them). Clipboard entries keep
 * the text's length, never the text.
 */
export const transferEntrySchema = z
  .object({
    at: timestamp,
    /** The agent whose page reported it. */
    agent: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
    kind: z.enum(['file', 'clipboard']),
    direction: transferDirection,
    /** The file's name; null for clipboard text. */
    name: z.string().nullable(),
    /** The file's size in bytes; null for clipboard text. */
    bytes: z.number().int().nullable(),
    /** The clipboard text's length in characters; null for files. */
    characters: z.number().int().nullable(),
    /** Clipboard transfers are recorded only once done, so theirs is always `delivered`. */
    result: fileTransferResult,
    /** Who cancelled a `cancelled` transfer; null otherwise. */
    cancelledBy: z.enum(['agent', 'customer']).nullable(),
  })
  .meta({ id: 'TransferEntry' });
export type TransferEntry = z.infer<typeof transferEntrySchema>;

/**
 * What came of an ended case, for the CRM to file on its record: the agent's
 * closing note, the session's chat transcript, its file and clipboard transfers
 * and its recordings.
 */
export const caseOutcomeSchema = z
  .object({
    /** The agent's closing note, or null (none given, or the case expired). */
    note: z.string().nullable(),
    transcript: z.array(transcriptEntrySchema),
    transfers: z.array(transferEntrySchema),
    /** The session's recordings, oldest first (empty unless the organisation records sessions). */
    recordings: z.array(recordingSchema),
  })
  .meta({ id: 'CaseOutcome' });
export type CaseOutcome = z.infer<typeof caseOutcomeSchema>;

/** One case with what came of it: `outcome` is null while the case is open. */
export const caseDetailSchema = caseSchema
  .extend({ outcome: caseOutcomeSchema.nullable() })
  .meta({ id: 'CaseDetail' });
export type CaseDetail = z.infer<typeof caseDetailSchema>;

export const CLOSING_NOTE_MAX = 4000;
export const closeCaseRequest = z
  .strictObject({
    /** What was done and how it ended, in the agent's words. */
    note: z.string().trim().min(1).max(CLOSING_NOTE_MAX).optional(),
  })
  .meta({ id: 'CloseCaseRequest' });
export type CloseCaseRequest = z.input<typeof closeCaseRequest>;

export const createCaseRequest = z
  .strictObject({
    name: caseName,
    type: caseType.default('remote_control'),
    description: caseDescription.optional(),
    groupId: id.optional(),
    assigneeId: id.optional(),
    customer: customerInput.optional(),
    external: externalRecord.optional(),
    waitingMessage: waitingMessage.optional(),
  })
  .meta({ id: 'CreateCaseRequest' });
export type CreateCaseRequest = z.input<typeof createCaseRequest>;

export const updateCaseRequest = z
  .strictObject({
    name: caseName,
    description: caseDescription.nullable(),
    groupId: id,
    assigneeId: id.nullable(),
    customer: customerPatch,
    waitingMessage: waitingMessage.nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, {
    message: 'at least one field is required',
    // Only worth saying when the fields themselves were fine.
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateCaseRequest' });
export type UpdateCaseRequest = z.input<typeof updateCaseRequest>;

export const listCasesQuery = z.strictObject({
  ...paginationQuery,
  status: repeatable(caseStatus),
  groupId: id.optional(),
  /** A user id, or `me` for the caller. */
  assigneeId: id.optional(),
  source: caseSource.optional(),
  externalSystem: z.string().min(1).max(64).optional(),
  externalId: z.string().min(1).max(200).optional(),
  /** Matches the code (with or without dashes), the name and the customer's name, e-mail and phone. */
  q: z.string().trim().min(1).max(200).optional(),
});
export type ListCasesQuery = z.input<typeof listCasesQuery>;

export const caseParams = z.strictObject({ code: sessionCode });

export const bulkDeleteRequest = z
  .strictObject({
    codes: z.array(sessionCode).min(1).max(500),
  })
  .meta({ id: 'BulkDeleteRequest' });
export const bulkDeleteResponse = z
  .object({ deleted: z.number().int(), notFound: z.array(sessionCode) })
  .meta({ id: 'BulkDeleteResult' });
export type BulkDeleteResponse = z.infer<typeof bulkDeleteResponse>;

export const caseEventType = z.enum([
  'case.created',
  'case.updated',
  'case.assigned',
  'case.status_changed',
  'case.closed',
  'case.expired',
  'session.joined',
  'session.left',
  'consent.allowed',
  'consent.denied',
  'connection.started',
  'connection.ended',
  /** One chat message of a live session (`data.role`, `data.text`): the transcript in the audit trail. */
  'chat.message',
  /** A file sent to or from the customer, as the agent's page reported it (`data.direction`, `data.result`, `data.name`, `data.bytes`). */
  'file.transferred',
  /** The agent pasted text into the customer's clipboard (`data.characters`, never the text). */
  'clipboard.pasted',
  /** The agent read the customer's clipboard (`data.characters`, never the text). */
  'clipboard.read',
  'invitation.queued',
  'invitation.sent',
  'invitation.failed',
  /** Session recordings (`data.recordingId`): started by the agent's browser, played or downloaded by staff, deleted. */
  'recording.started',
  'recording.viewed',
  'recording.downloaded',
  'recording.deleted',
]);
export type CaseEventType = z.infer<typeof caseEventType>;

export const caseEventSchema = z
  .object({
    id: z.string(),
    type: caseEventType,
    actor: actorSchema,
    data: z.record(z.string(), z.unknown()),
    createdAt: timestamp,
  })
  .meta({ id: 'CaseEvent' });
export type CaseEvent = z.infer<typeof caseEventSchema>;

/** What a customer's browser may know about the case behind their link or code: nothing internal. */
export const joinInfoSchema = z
  .object({
    code: sessionCode,
    name: z.string(),
    type: caseType,
    status: caseStatus,
    waitingMessage: z.string().nullable(),
    organization: z.object({ name: z.string() }),
    /** The organisation records its sessions: the consent prompt says so. */
    recorded: z.boolean(),
    /** The look of the QuickSupport module the customer came through; null for other cases. */
    branding: z
      .object({ title: z.string(), accentColor: z.string(), logoUrl: z.string().nullable() })
      .nullable(),
    /** The secret token of the customer link, for building `/j/{token}`. */
    token: z.string(),
  })
  .meta({ id: 'JoinInfo' });
export type JoinInfo = z.infer<typeof joinInfoSchema>;

export const joinTokenParams = z.strictObject({ token: z.string().min(16).max(100) });

/** As customers type it: `s12-345-678`, `12 345 678`, `12345678`. */
export const codeLookupRequest = z
  .strictObject({
    code: z
      .string()
      .max(30)
      .transform((v) => v.replace(/[\s-]/g, '').replace(/^s/i, ''))
      .pipe(z.string().regex(/^\d{8}$/, 'must be the 8 digits of the session code')),
  })
  .meta({ id: 'CodeLookupRequest' });
