import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { ConnectionsService } from './connections.service.js';

/** Remote connections of one case (case detail) and of the organisation (SPEC §8 reports). */
export function connectionsRoutes(route: Route, connections: ConnectionsService) {
  route(endpoints.cases.connections, async (req) => connections.ofCase(principalOf(req), req.params.code));
  route(endpoints.reports.connections, async (req) => connections.report(principalOf(req), req.query));
}
