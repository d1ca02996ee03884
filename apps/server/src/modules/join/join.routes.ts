import { codeLookupRequest, joinInfoSchema, joinTokenParams, problemSchema } from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { JoinService } from './join.service.js';

const errors = { 400: problemSchema, 404: problemSchema, 410: problemSchema, 429: problemSchema };
const tags = ['Customer join'];

/** Public: customers have no account; the secret link token or a rate-limited code lookup is the credential. */
export function joinRoutes(app: FastifyInstance, join: JoinService) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/join/:token', {
    schema: {
      tags,
      summary: 'The case behind a customer invitation link (410 once it has ended)',
      params: joinTokenParams,
      response: { 200: joinInfoSchema, ...errors },
    },
    handler: async (req) => join.byToken(req.params.token),
  });

  r.post('/api/v1/join/by-code', {
    schema: {
      tags,
      summary: 'Find a session by the code a customer typed (rate-limited per address)',
      body: codeLookupRequest,
      response: { 200: joinInfoSchema, ...errors },
    },
    handler: async (req) => join.byCode(req.body.code, req.ip),
  });
}
