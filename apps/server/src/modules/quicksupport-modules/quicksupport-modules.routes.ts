import { endpoints } from '@lifeline/contracts';
import { principalOf } from '../../plugins/auth.js';
import type { Route } from '../../plugins/routes.js';
import type { QuickSupportModulesService } from './quicksupport-modules.service.js';

/** Served from our own origin, so nothing in a logo may run or be reinterpreted. */
const inertImageHeaders = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
};

/** Admins design modules; the public routes serve customers, who have no account. */
export function modulesRoutes(route: Route, modules: QuickSupportModulesService) {
  const api = endpoints.modules;
  const pages = endpoints.quickSupport;

  route(api.list, async (req) => ({ items: await modules.list(principalOf(req).orgId) }));
  route(api.create, async (req) => {
    const p = principalOf(req);
    return modules.create(p.orgId, p.defaultGroupId, req.body);
  });
  route(api.get, async (req) => modules.get(principalOf(req).orgId, req.params.id));
  route(api.update, async (req) => modules.update(principalOf(req).orgId, req.params.id, req.body));
  route(api.delete, async (req) => {
    await modules.delete(principalOf(req).orgId, req.params.id);
  });
  route(api.removeLogo, async (req) => modules.removeLogo(principalOf(req).orgId, req.params.id));
  route(api.uploadLogo, async (req) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return modules.setLogo(principalOf(req).orgId, req.params.id, body);
  });

  route(pages.page, async (req) => modules.publicPage(req.params.slug));
  route(pages.request, async (req) => modules.request(req.params.slug, req.body, req.ip));
  route(pages.logo, async (req, reply) => {
    const logo = await modules.logo(req.params.slug);
    // The URL carries the logo's version, so a cached copy is never stale.
    return reply
      .headers({ ...inertImageHeaders, 'cache-control': 'public, max-age=86400' })
      .type(logo.contentType)
      .send(logo.bytes);
  });
  route(pages.sosShortcut, async (req, reply) => {
    const file = await modules.sosShortcut(req.params.slug, req.params.platform);
    return reply
      .headers({
        'content-disposition': `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
        'x-content-type-options': 'nosniff',
      })
      .type(`${file.contentType}; charset=utf-8`)
      .send(file.body);
  });
}
