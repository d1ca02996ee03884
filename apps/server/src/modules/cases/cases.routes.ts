import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { CasesService } from './cases.service.js';

export function casesRoutes(route: Route, cases: CasesService) {
  const api = endpoints.cases;

  route(api.create, async (req) => {
    const p = principalOf(req);
    // An OAuth token belongs to a connector app: what it creates comes from a CRM.
    const source = p.via === 'cookie' ? 'manual' : p.via === 'oauth' ? 'connector' : 'api';
    return cases.create(p, req.body, source);
  });
  route(api.list, async (req) => cases.list(principalOf(req), req.query));
  route(api.bulkDelete, async (req) => cases.bulkDelete(principalOf(req), req.body.codes));
  route(api.get, async (req) => cases.get(principalOf(req), req.params.code));
  route(api.update, async (req) => cases.update(principalOf(req), req.params.code, req.body));
  route(api.close, async (req) => cases.close(principalOf(req), req.params.code, req.body?.note));
  route(api.delete, async (req) => {
    await cases.delete(principalOf(req), req.params.code);
  });
  route(api.events, async (req) => cases.events(principalOf(req), req.params.code, req.query));
}
