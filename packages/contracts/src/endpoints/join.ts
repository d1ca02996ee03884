import { codeLookupRequest, joinInfoSchema, joinTokenParams } from '../cases.js';
import { defineEndpoint } from '../endpoint.js';

const tags = ['Customer join'];

/** Public: customers have no account; the secret link token or a rate-limited code look-up is the credential. */
export const join = {
  byToken: defineEndpoint({
    method: 'GET',
    path: '/api/v1/join/{token}',
    operationId: 'joinByToken',
    summary: 'The case behind a customer invitation link',
    description:
      'What the customer’s page may know about the case: name, type, status, waiting message, organisation and branding. 410 once the case has ended.',
    tags,
    access: 'public',
    params: joinTokenParams,
    responses: { 200: joinInfoSchema },
    problems: [404, 410],
  }),
  byCode: defineEndpoint({
    method: 'POST',
    path: '/api/v1/join/by-code',
    operationId: 'joinByCode',
    summary: 'Find a session by the code a customer typed',
    description:
      'Takes the code as customers type it (`s12-345-678`, `12 345 678`, `12345678`). Rate-limited per address (429 with `Retry-After`); 410 once the case has ended.',
    tags,
    access: 'public',
    body: codeLookupRequest,
    responses: { 200: joinInfoSchema },
    problems: [404, 410, 429],
  }),
};
