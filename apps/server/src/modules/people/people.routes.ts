import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { PeopleService } from './people.service.js';

export function peopleRoutes(route: Route, people: PeopleService) {
  const { users, groups } = endpoints;

  route(users.list, async (req) => ({ items: await people.listUsers(principalOf(req)) }));
  route(users.create, async (req) => people.createUser(principalOf(req).orgId, req.body));
  route(users.get, async (req) => people.getUser(principalOf(req).orgId, req.params.id));
  route(users.update, async (req) => people.updateUser(principalOf(req), req.params.id, req.body));

  route(groups.list, async (req) => ({ items: await people.listGroups(principalOf(req).orgId) }));
  route(groups.create, async (req) => people.createGroup(principalOf(req).orgId, req.body));
  route(groups.rename, async (req) =>
    people.renameGroup(principalOf(req).orgId, req.params.id, req.body.name),
  );
  route(groups.addMember, async (req) =>
    people.addMember(principalOf(req).orgId, req.params.id, req.body.userId),
  );
  route(groups.removeMember, async (req) =>
    people.removeMember(principalOf(req).orgId, req.params.id, req.params.userId),
  );
}
