import {
  createModuleRequest,
  idParams,
  MAX_LOGO_BYTES,
  moduleRequest,
  moduleRequestResponse,
  moduleSchema,
  moduleSlugParams,
  problemSchema,
  publicModuleSchema,
  sosParams,
  updateModuleRequest,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { QuickSupportModulesService } from './quicksupport-modules.service.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};
const tags = ['QuickSupport modules'];
const publicTags = ['QuickSupport pages (public)'];

/** Served from our own origin, so nothing in a logo may run or be reinterpreted. */
const inertImageHeaders = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
};

/** Admins design modules; the public routes serve customers, who have no account. */
export function modulesRoutes(app: FastifyInstance, modules: QuickSupportModulesService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/modules', {
    schema: {
      tags,
      summary: 'QuickSupport modules of your organisation',
      response: { 200: z.object({ items: z.array(moduleSchema) }), ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => ({ items: await modules.list(principalOf(req).orgId) }),
  });

  r.post('/api/v1/modules', {
    schema: {
      tags,
      summary: 'Design a QuickSupport module',
      body: createModuleRequest,
      response: { 201: moduleSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) => {
      const p = principalOf(req);
      return reply.status(201).send(await modules.create(p.orgId, p.defaultGroupId, req.body));
    },
  });

  r.get('/api/v1/modules/:id', {
    schema: { tags, summary: 'One module', params: idParams, response: { 200: moduleSchema, ...errors } },
    onRequest: guard('admin'),
    handler: async (req) => modules.get(principalOf(req).orgId, req.params.id),
  });

  r.patch('/api/v1/modules/:id', {
    schema: {
      tags,
      summary: 'Change a module',
      params: idParams,
      body: updateModuleRequest,
      response: { 200: moduleSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => modules.update(principalOf(req).orgId, req.params.id, req.body),
  });

  r.delete('/api/v1/modules/:id', {
    schema: { tags, summary: 'Delete a module', params: idParams, response: { 204: z.null(), ...errors } },
    onRequest: guard('admin'),
    handler: async (req, reply) => {
      await modules.delete(principalOf(req).orgId, req.params.id);
      return reply.status(204).send(null);
    },
  });

  r.delete('/api/v1/modules/:id/logo', {
    schema: {
      tags,
      summary: "Remove the module's logo",
      params: idParams,
      response: { 200: moduleSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => modules.removeLogo(principalOf(req).orgId, req.params.id),
  });

  // The logo is the one binary upload: its own scope, so other routes still take JSON only.
  app.register(async (scope) => {
    for (const type of [/^image\//, 'application/octet-stream']) {
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES }, (_req, body, done) =>
        done(null, body),
      );
    }
    scope.withTypeProvider<ZodTypeProvider>().put('/api/v1/modules/:id/logo', {
      schema: {
        tags,
        summary: 'Upload the logo (PNG, JPEG, GIF or WebP, at most 256 KB; the body is the image)',
        params: idParams,
        response: { 200: moduleSchema, 413: problemSchema, 415: problemSchema, ...errors },
      },
      onRequest: guard('admin'),
      handler: async (req) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return modules.setLogo(principalOf(req).orgId, req.params.id, body);
      },
    });
  });

  r.get('/api/v1/public/modules/:slug', {
    schema: {
      tags: publicTags,
      summary: "A module's page: branding and the fields it asks for",
      params: moduleSlugParams,
      response: { 200: publicModuleSchema, 400: problemSchema, 404: problemSchema },
    },
    handler: async (req) => modules.publicPage(req.params.slug),
  });

  r.post('/api/v1/public/modules/:slug/requests', {
    schema: {
      tags: publicTags,
      summary:
        'A customer asks for help: creates a case (source `module`, or `sos`) and answers its link token',
      params: moduleSlugParams,
      body: moduleRequest,
      response: { 201: moduleRequestResponse, 400: problemSchema, 404: problemSchema, 429: problemSchema },
    },
    handler: async (req, reply) =>
      reply.status(201).send(await modules.request(req.params.slug, req.body, req.ip)),
  });

  r.get('/api/v1/public/modules/:slug/logo', {
    schema: { tags: publicTags, summary: "A module's logo", params: moduleSlugParams, hide: true },
    handler: async (req, reply) => {
      const logo = await modules.logo(req.params.slug);
      // The URL carries the logo's version, so a cached copy is never stale.
      return reply
        .headers({ ...inertImageHeaders, 'cache-control': 'public, max-age=86400' })
        .type(logo.contentType)
        .send(logo.bytes);
    },
  });

  r.get('/api/v1/public/modules/:slug/sos/:platform', {
    schema: {
      tags: publicTags,
      summary: 'The SOS desktop shortcut for Windows (.url), macOS (.webloc) or Linux (.desktop)',
      params: sosParams,
      hide: true,
    },
    handler: async (req, reply) => {
      const file = await modules.sosShortcut(req.params.slug, req.params.platform);
      return reply
        .headers({
          'content-disposition': `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
          'x-content-type-options': 'nosniff',
        })
        .type(`${file.contentType}; charset=utf-8`)
        .send(file.body);
    },
  });
}
