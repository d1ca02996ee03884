import { z } from 'zod';
import { loginRequest } from '../auth.js';
import { page } from '../common.js';
import { oauthInteractionSchema, oauthRedirect } from '../connector-apps.js';
import { defineEndpoint } from '../endpoint.js';
import { listOutboxQuery, outboxMessageSchema } from '../invitations.js';
import { connectionSchema, connectionsReportQuery } from '../realtime.js';

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'Health' });

export const operations = {
  health: defineEndpoint({
    method: 'GET',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'Liveness: the process answers',
    description: 'For load balancers and orchestrators; asks nothing of the database.',
    tags: ['Operations'],
    access: 'public',
    responses: { 200: healthSchema },
    problems: [],
    noDatabase: true,
  }),
  ready: defineEndpoint({
    method: 'GET',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness: the database answers and the process is not shutting down',
    description: 'Answers 503 with the failing check while the database is unreachable or the process stops.',
    tags: ['Operations'],
    access: 'public',
    responses: { 200: healthSchema, 503: healthSchema },
    problems: [],
  }),
  metrics: defineEndpoint({
    method: 'GET',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this process',
    description:
      'With METRICS_TOKEN set, only for that bearer token (401 otherwise); without it, only to a scraper on this machine talking to the process directly (403 otherwise).',
    tags: ['Operations'],
    access: 'metrics',
    responses: { 200: { mediaTypes: ['text/plain'], description: 'The Prometheus text format.' } },
    problems: [],
  }),
};

export const outbox = {
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/outbox',
    operationId: 'listOutbox',
    summary: 'Every e-mail and SMS of your organisation, newest first',
    description:
      'Admins only. As sent, or as kept in the local outbox when no provider is configured, with exactly what is (or would be) sent.',
    tags: ['Outbox'],
    access: 'admin',
    query: listOutboxQuery,
    responses: { 200: page(outboxMessageSchema).meta({ id: 'OutboxMessagePage' }) },
    problems: [],
  }),
};

export const reports = {
  connections: defineEndpoint({
    method: 'GET',
    path: '/api/v1/reports/connections',
    operationId: 'reportConnections',
    summary: 'Remote connections of the organisation, newest first',
    description:
      'By start time, optionally from and to a time: case code, agent, start, end, duration and type.',
    tags: ['Reports'],
    access: 'reports:read',
    query: connectionsReportQuery,
    responses: { 200: page(connectionSchema).meta({ id: 'ConnectionPage' }) },
    problems: [],
  }),
};

const uidParams = z.strictObject({ uid: z.string().min(1).max(100) });
const noBody = z.strictObject({});
const interactionTags = ['OAuth'];

/**
 * The JSON steps of the OAuth sign-in and consent page. They live under
 * `/oauth/interaction/{uid}` because the provider's interaction cookie is
 * scoped to that path; they are the page's, not an integrator API.
 */
export const oauthInteraction = {
  details: defineEndpoint({
    method: 'GET',
    path: '/oauth/interaction/{uid}/details',
    operationId: 'getOAuthInteraction',
    summary: 'What the sign-in and consent page shows',
    description: 'The app, the scopes it asks for, and who is signed in.',
    tags: interactionTags,
    access: 'public',
    params: uidParams,
    responses: { 200: oauthInteractionSchema },
    problems: [404],
    internal: true,
  }),
  login: defineEndpoint({
    method: 'POST',
    path: '/oauth/interaction/{uid}/login',
    operationId: 'oauthLogin',
    summary: 'Sign in with Lifeline’s e-mail and password',
    description: 'Also signs in to the console, so "Join session" needs no second sign-in. Rate-limited.',
    tags: interactionTags,
    access: 'public',
    params: uidParams,
    body: loginRequest,
    responses: { 200: oauthRedirect },
    problems: [401, 403, 429],
    internal: true,
  }),
  continue: defineEndpoint({
    method: 'POST',
    path: '/oauth/interaction/{uid}/continue',
    operationId: 'oauthContinue',
    summary: 'Continue as the agent already signed in to the console',
    description: 'Needs the console cookie; 401 without it.',
    tags: interactionTags,
    access: 'public',
    params: uidParams,
    body: noBody,
    responses: { 200: oauthRedirect },
    problems: [401, 403],
    internal: true,
  }),
  allow: defineEndpoint({
    method: 'POST',
    path: '/oauth/interaction/{uid}/allow',
    operationId: 'oauthAllow',
    summary: 'Allow the app to act for the signed-in agent',
    description: 'With the scopes it asked for.',
    tags: interactionTags,
    access: 'public',
    params: uidParams,
    body: noBody,
    responses: { 200: oauthRedirect },
    problems: [401, 403],
    internal: true,
  }),
  deny: defineEndpoint({
    method: 'POST',
    path: '/oauth/interaction/{uid}/deny',
    operationId: 'oauthDeny',
    summary: 'Refuse: the app is told access_denied',
    description: 'The agent goes back to the app with `access_denied`.',
    tags: interactionTags,
    access: 'public',
    params: uidParams,
    body: noBody,
    responses: { 200: oauthRedirect },
    problems: [],
    internal: true,
  }),
};
