import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { ConnectorAppsService } from './connector-apps.service.js';

export function connectorAppsRoutes(route: Route, apps: ConnectorAppsService) {
  const api = endpoints.connectorApps;

  route(api.list, async (req) => ({ items: await apps.list(principalOf(req)) }));
  route(api.create, async (req) => apps.create(principalOf(req), req.body));
  route(api.get, async (req) => apps.get(principalOf(req), req.params.id));
  route(api.update, async (req) => apps.update(principalOf(req), req.params.id, req.body));
  route(api.delete, async (req) => {
    await apps.delete(principalOf(req), req.params.id);
  });
}
