import { defineEndpoint } from '../endpoint.js';
import {
  tvCreateSessionRequest,
  tvError,
  tvListSessionsQuery,
  tvSession,
  tvSessionList,
  tvSessionParams,
  tvUpdateSessionRequest,
} from '../teamviewer.js';

const tags = ['TeamViewer-compatible sessions'];
/** TeamViewer's error body, which its clients read (docs/TEAMVIEWER-API.md). */
const problemBody = { schema: tvError, mediaType: 'application/json' };

/** TeamViewer's Web API for service cases ("sessions"), answered by Lifeline (docs/TEAMVIEWER-API.md). */
export const teamViewerSessions = {
  create: defineEndpoint({
    method: 'POST',
    path: '/api/v1/sessions',
    operationId: 'tvCreateSession',
    summary: 'Create a session (TeamViewer-compatible)',
    description:
      'Creates a service case from TeamViewer’s session fields; `groupid` or `groupname` picks the group. A session gets the name "Session for {end customer}", else the first line of its description.',
    tags,
    access: 'cases:write',
    body: tvCreateSessionRequest,
    responses: { 200: tvSession },
    problems: [],
    problemBody,
  }),
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/sessions',
    operationId: 'tvListSessions',
    summary: 'List sessions (TeamViewer-compatible)',
    description:
      'Newest first, 100 a page. `next_offset` is the code of the first session of the next page, to pass back as `offset`; `sessions_remaining` counts those after this page.',
    tags,
    access: 'cases:read',
    query: tvListSessionsQuery,
    responses: { 200: tvSessionList },
    problems: [404],
    problemBody,
  }),
  get: defineEndpoint({
    method: 'GET',
    path: '/api/v1/sessions/{code}',
    operationId: 'tvGetSession',
    summary: 'Get a session (TeamViewer-compatible)',
    description: 'One session by its code.',
    tags,
    access: 'cases:read',
    params: tvSessionParams,
    responses: { 200: tvSession },
    problems: [404],
    problemBody,
  }),
  update: defineEndpoint({
    method: 'PUT',
    path: '/api/v1/sessions/{code}',
    operationId: 'tvUpdateSession',
    summary: 'Change a session (TeamViewer-compatible)',
    description:
      'Changes the given fields. `state: "closed"` closes the session (after the other changes); `assigned_userid: "u0"` unassigns it.',
    tags,
    access: 'cases:write',
    params: tvSessionParams,
    body: tvUpdateSessionRequest,
    responses: { 204: null },
    problems: [404, 409],
    problemBody,
  }),
  delete: defineEndpoint({
    method: 'DELETE',
    path: '/api/v1/sessions/{code}',
    operationId: 'tvDeleteSession',
    summary: 'Delete a session (TeamViewer-compatible)',
    description: 'Deletes the service case under Lifeline’s delete rule (its creator or an admin).',
    tags,
    access: 'cases:write',
    params: tvSessionParams,
    responses: { 204: null },
    problems: [404],
    problemBody,
  }),
};
