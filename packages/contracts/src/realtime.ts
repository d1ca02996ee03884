import { z } from 'zod';
import {
  caseSchema,
  caseStatus,
  caseType,
  fileTransferResult,
  joinInfoSchema,
  sessionCode,
  transferDirection,
} from './cases.js';
import { FREEZE_FRAME_MAX_CHARS } from './constants.js';
import { CLIPBOARD_MAX_CHARS, controlAction, controlState } from './control.js';

/**
 * WebSocket messages of the realtime hub.
 *
 * `/ws/session?token=…` (customer, by link token) and `/ws/session?case=…`
 * (agent, by sign-in cookie) join one case's live session; `/ws/console`
 * streams an organisation's case changes to signed-in agents.
 *
 * `&standby` (customer): the socket is opened ahead and joins only with the
 * `join` message; `&resume={you}` (agent): the socket takes over that agent's
 * own open connection (see docs/ARCHITECTURE.md).
 */

export const sessionRole = z.enum(['agent', 'customer']);
export type SessionRole = z.infer<typeof sessionRole>;

/** Coordinates are fractions of the shared picture, so they land in place whatever size each side shows it at. */
const fraction = z.number().min(0).max(1);
export const point = z.strictObject({ x: fraction, y: fraction });
export type Point = z.infer<typeof point>;

const color = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a #rrggbb colour');
const annotationId = z.string().min(1).max(64);

export const annotation = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('arrow'), id: annotationId, from: point, to: point, color }),
  z.strictObject({
    kind: z.literal('freehand'),
    id: annotationId,
    points: z.array(point).min(2).max(2000),
    color,
  }),
]);
export type Annotation = z.infer<typeof annotation>;

/**
 * The one picture a freeze holds still (AR): the agent takes it from the video
 * it receives and both sides show exactly this image, so marks land on the
 * same picture on both sides.
 */
export const freezeFrame = z
  .string()
  .max(FREEZE_FRAME_MAX_CHARS, 'is too large a picture')
  .regex(/^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/, 'must be a JPEG, PNG or WebP data URL');

export const sessionDescription = z.strictObject({
  type: z.enum(['offer', 'answer']),
  sdp: z.string().max(100_000),
});
export const iceCandidate = z.strictObject({
  candidate: z.string().max(2000),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});

const connectionId = z.string().min(1).max(64);

/**
 * WebRTC signalling between the customer and one agent. The customer keeps one
 * peer connection per agent and names it: `to` is the agent's connection id,
 * `peer` the customer's peer connection (a new one means "start afresh").
 */
const signalFields = {
  type: z.literal('signal'),
  description: sessionDescription.optional(),
  candidate: iceCandidate.optional(),
  peer: z.string().min(1).max(64).optional(),
};
const signalMessage = z.strictObject({ ...signalFields, to: connectionId.optional() });
/** As relayed: `from` is the agent's connection id (to the customer). */
const relayedSignal = z.strictObject({ ...signalFields, from: connectionId.optional() });
const chatText = z.string().trim().min(1, 'is empty').max(2000);

export const consentDecision = z.enum(['allow', 'deny']);
export type ConsentDecision = z.infer<typeof consentDecision>;
export const consentState = z.enum(['pending', 'allowed', 'denied']);
export type ConsentState = z.infer<typeof consentState>;
/** What the customer is sending now; `paused` keeps the connection but sends no picture. */
export const sharingState = z.enum(['off', 'active', 'paused']);
export type SharingState = z.infer<typeof sharingState>;

/** The desktop QuickSupport runs on, so the agent's page can tell what cannot be sent there (Ctrl+Alt+Del on Windows). */
export const helperDesktop = z.enum(['x11', 'windows']);
export type HelperDesktop = z.infer<typeof helperDesktop>;

/**
 * What the customer joins the browser session with. `phone`: phones and
 * tablets, which cannot share their screen (no `getDisplayMedia`), and show
 * their camera instead whatever the case type.
 */
export const customerDevice = z.enum(['computer', 'phone']);
export type CustomerDevice = z.infer<typeof customerDevice>;

/**
 * A finished file or clipboard transfer, as the agent's page reports it for the
 * audit trail: the bytes go peer to peer, so this is the agent's word. A
 * clipboard report carries the text's length only.
 */
export const transferReport = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('file'),
      direction: transferDirection,
      result: fileTransferResult,
      /** Who cancelled; given exactly when `result` is `cancelled`. */
      cancelledBy: sessionRole.optional(),
      name: z.string().trim().min(1).max(255),
      bytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    })
    .refine((r) => (r.result === 'cancelled') === (r.cancelledBy !== undefined), {
      message: 'a cancelled transfer says who cancelled it, no other does',
      path: ['cancelledBy'],
    }),
  z.strictObject({
    kind: z.literal('clipboard'),
    /** `to_customer`: pasted into the customer's clipboard; `from_customer`: read from it. */
    direction: transferDirection,
    characters: z.number().int().nonnegative().max(CLIPBOARD_MAX_CHARS),
  }),
]);
export type TransferReport = z.infer<typeof transferReport>;

/** Messages a browser may send; the hub also checks which role may send which. */
export const clientMessage = z.discriminatedUnion('type', [
  signalMessage,
  z.strictObject({ type: z.literal('chat'), text: chatText }),
  // customer only
  /** Consent belongs to one agent: `agent` is the connection id of the agent the customer answers. */
  z.strictObject({ type: z.literal('consent'), decision: consentDecision, agent: connectionId }),
  z.strictObject({ type: z.literal('sharing'), state: sharingState }),
  z.strictObject({ type: z.literal('device'), kind: customerDevice }),
  z.strictObject({
    type: z.literal('control-state'),
    state: controlState,
    to: connectionId.optional(),
    desktop: helperDesktop.optional(),
  }),
  // agent only
  z.strictObject({ type: z.literal('pointer'), at: point.nullable() }),
  z.strictObject({ type: z.literal('annotate'), annotation }),
  z.strictObject({ type: z.literal('clear-annotations') }),
  z
    .strictObject({ type: z.literal('freeze'), frozen: z.boolean(), frame: freezeFrame.optional() })
    .refine((m) => m.frozen === (m.frame !== undefined), {
      message: 'a freeze carries the frozen picture, an unfreeze none',
      path: ['frame'],
    }),
  z.strictObject({ type: z.literal('control'), action: controlAction }),
  z.strictObject({ type: z.literal('transfer'), transfer: transferReport }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/**
 * The first and only message of a customer's standby socket (`&standby`): the customer chose
 * "Join in browser", and the socket, open since the page showed the choice, joins now.
 */
export const joinMessage = z.strictObject({ type: z.literal('join') });
export type JoinMessage = z.infer<typeof joinMessage>;

export const customerOnlyMessages = [
  'consent',
  'sharing',
  'device',
  'control-state',
] as const satisfies ClientMessage['type'][];
export const agentOnlyMessages = [
  'pointer',
  'annotate',
  'clear-annotations',
  'freeze',
  'control',
  'transfer',
] as const satisfies ClientMessage['type'][];

export const iceServer = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServer>;

/** One connected agent as the customer sees it: who, and what the customer allowed them. */
export const presentAgent = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  name: z.string(),
  consent: consentState,
});
export type PresentAgent = z.infer<typeof presentAgent>;

export const presenceSchema = z.object({
  agent: z.boolean(),
  customer: z.boolean(),
  /** The first connected agent's display name. */
  agentName: z.string().nullable(),
  /** Every connected agent, in the order they joined; each needs the customer's own "Allow". */
  agents: z.array(presentAgent),
});
export type Presence = z.infer<typeof presenceSchema>;

/** What a session socket is told about its case: the customer's join view without the link token. */
export const sessionInfo = joinInfoSchema.omit({ token: true, branding: true });
export type SessionInfo = z.infer<typeof sessionInfo>;

export const endReason = z.enum(['closed', 'expired', 'deleted', 'replaced']);
export type EndReason = z.infer<typeof endReason>;

const chatEntry = z.object({
  type: z.literal('chat'),
  from: sessionRole,
  name: z.string(),
  text: z.string(),
  at: z.iso.datetime(),
});
export type ChatEntry = z.infer<typeof chatEntry>;

/** Messages the hub sends on a session socket. */
export const serverMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    role: sessionRole,
    /** This socket's connection id (agents: the id the customer's consent names). */
    you: z.string(),
    session: sessionInfo,
    presence: presenceSchema,
    consent: consentState,
    sharing: sharingState,
    iceServers: z.array(iceServer),
    /** `relay`: the browser must use TURN relay candidates only (RTCConfiguration.iceTransportPolicy). */
    iceTransportPolicy: z.enum(['all', 'relay']).optional(),
    /** The largest file the pages may send each other over the data channel (LIFELINE_FILE_TRANSFER_MAX_MB). */
    fileTransferMaxBytes: z.number().int().positive(),
  }),
  z.object({ type: z.literal('presence'), presence: presenceSchema }),
  z.object({ type: z.literal('status'), status: caseStatus }),
  /** To an agent: what the customer decided about this agent. */
  z.object({ type: z.literal('consent'), state: consentState }),
  z.object({ type: z.literal('sharing'), state: sharingState }),
  /** To agents, even before the customer allows them: a phone shows its camera, not a screen. */
  z.object({ type: z.literal('device'), kind: customerDevice }),
  relayedSignal,
  chatEntry,
  z.object({ type: z.literal('pointer'), at: point.nullable() }),
  z.object({ type: z.literal('annotate'), annotation }),
  z.object({ type: z.literal('clear-annotations') }),
  /** `frame`: the picture both sides show while frozen. */
  z.object({ type: z.literal('freeze'), frozen: z.boolean(), frame: freezeFrame.optional() }),
  /** To the customer: `from` is the asking agent's connection id. */
  z.object({ type: z.literal('control'), action: controlAction, from: z.string().optional() }),
  z.object({ type: z.literal('control-state'), state: controlState, desktop: helperDesktop.optional() }),
  z.object({ type: z.literal('ended'), reason: endReason }),
  z.object({
    type: z.literal('error'),
    /** `too_many`: this connection wrote more than its share (consent changes, chat, transfer reports); wait and try again. */
    code: z.enum(['invalid_message', 'not_allowed', 'not_ready', 'too_many']),
    message: z.string(),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessage>;

/** Messages of `/ws/console`: the organisation's queue as it changes. */
export const consoleMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('case.changed'),
    case: caseSchema,
    /** The change is the case's creation: new work, which the console may signal. */
    created: z.boolean().optional(),
  }),
  z.object({ type: z.literal('case.deleted'), code: sessionCode }),
]);
export type ConsoleMessage = z.infer<typeof consoleMessage>;

/** A remote connection: a stretch of time when agent and customer were both connected. */
export const connectionSchema = z
  .object({
    id: z.string(),
    caseCode: sessionCode,
    type: caseType,
    agent: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
    /** Up to now while still connected. */
    durationSeconds: z.number().int(),
  })
  .meta({ id: 'Connection' });
export type Connection = z.infer<typeof connectionSchema>;

export const connectionsReportQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
});
