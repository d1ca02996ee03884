import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { WebhooksService } from './webhooks.service.js';

export function webhooksRoutes(route: Route, webhooks: WebhooksService) {
  const api = endpoints.webhooks;

  route(api.list, async (req) => ({ items: await webhooks.list(principalOf(req)) }));
  route(api.create, async (req) => webhooks.create(principalOf(req), req.body));
  route(api.get, async (req) => webhooks.get(principalOf(req), req.params.id));
  route(api.update, async (req) => webhooks.update(principalOf(req), req.params.id, req.body));
  route(api.delete, async (req) => {
    await webhooks.delete(principalOf(req), req.params.id);
  });
  route(api.deliveries, async (req) => webhooks.deliveries(principalOf(req), req.params.id, req.query));
}
