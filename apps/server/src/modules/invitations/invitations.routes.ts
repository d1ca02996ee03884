import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { InvitationsService } from './invitations.service.js';

export function invitationsRoutes(route: Route, invitations: InvitationsService) {
  route(endpoints.cases.invite, async (req) =>
    invitations.create(principalOf(req), req.params.code, req.body),
  );
  route(endpoints.cases.invitations, async (req) =>
    invitations.list(principalOf(req), req.params.code, req.query),
  );
  route(endpoints.outbox.list, async (req) => invitations.outbox(principalOf(req), req.query));
}
