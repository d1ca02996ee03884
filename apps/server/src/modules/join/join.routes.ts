import { endpoints } from '@lifeline/contracts';
import type { Route } from '../../plugins/routes.js';
import type { JoinService } from './join.service.js';

/** Public: customers have no account; the secret link token or a rate-limited code lookup is the credential. */
export function joinRoutes(route: Route, join: JoinService) {
  route(endpoints.join.byToken, async (req) => join.byToken(req.params.token));
  route(endpoints.join.byCode, async (req) => join.byCode(req.body.code, req.ip));
}
