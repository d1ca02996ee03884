import { z } from 'zod';
import { idParams } from '../common.js';
import { defineEndpoint } from '../endpoint.js';
import {
  createModuleRequest,
  logoTypes,
  MAX_LOGO_BYTES,
  moduleRequest,
  moduleRequestResponse,
  moduleSchema,
  moduleSlugParams,
  publicModuleSchema,
  sosParams,
  updateModuleRequest,
} from '../modules.js';

const tags = ['QuickSupport modules'];
const publicTags = ['QuickSupport pages (public)'];

/** Admins design modules. */
export const modules = {
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/modules',
    operationId: 'listModules',
    summary: 'QuickSupport modules of your organisation',
    description: 'Admins only. Every module with its page and SOS links.',
    tags,
    access: 'admin',
    responses: { 200: z.object({ items: z.array(moduleSchema) }) },
    problems: [],
  }),
  create: defineEndpoint({
    method: 'POST',
    path: '/api/v1/modules',
    operationId: 'createModule',
    summary: 'Design a QuickSupport module',
    description:
      'Admins only. The slug becomes the page address `/qs/{slug}` and must be unused (409 otherwise); the target group defaults to the admin’s default group.',
    tags,
    access: 'admin',
    body: createModuleRequest,
    responses: { 201: moduleSchema },
    problems: [404, 409],
  }),
  get: defineEndpoint({
    method: 'GET',
    path: '/api/v1/modules/{id}',
    operationId: 'getModule',
    summary: 'One module',
    description: 'Admins only. A module of your organisation by id.',
    tags,
    access: 'admin',
    params: idParams,
    responses: { 200: moduleSchema },
    problems: [404],
  }),
  update: defineEndpoint({
    method: 'PATCH',
    path: '/api/v1/modules/{id}',
    operationId: 'updateModule',
    summary: 'Change a module',
    description: 'Admins only. Changes the fields sent; a switched-off module’s page answers 404.',
    tags,
    access: 'admin',
    params: idParams,
    body: updateModuleRequest,
    responses: { 200: moduleSchema },
    problems: [404, 409],
  }),
  delete: defineEndpoint({
    method: 'DELETE',
    path: '/api/v1/modules/{id}',
    operationId: 'deleteModule',
    summary: 'Delete a module',
    description: 'Admins only. Its page and SOS shortcuts stop working; cases created through it stay.',
    tags,
    access: 'admin',
    params: idParams,
    responses: { 204: null },
    problems: [404],
  }),
  uploadLogo: defineEndpoint({
    method: 'PUT',
    path: '/api/v1/modules/{id}/logo',
    operationId: 'uploadModuleLogo',
    summary: 'Upload the module’s logo',
    description:
      'Admins only. The body is the image itself. Its type is read from its bytes, whatever `Content-Type` says: PNG, JPEG, GIF or WebP; SVG and anything else answer 415, more than 256 KB answers 413.',
    tags,
    access: 'admin',
    params: idParams,
    upload: {
      mediaTypes: ['image/*', 'application/octet-stream'],
      maxBytes: MAX_LOGO_BYTES,
      description: 'The image file (PNG, JPEG, GIF or WebP, at most 256 KB).',
    },
    responses: { 200: moduleSchema },
    problems: [404],
  }),
  removeLogo: defineEndpoint({
    method: 'DELETE',
    path: '/api/v1/modules/{id}/logo',
    operationId: 'removeModuleLogo',
    summary: 'Remove the module’s logo',
    description: 'Admins only. The page shows the title alone afterwards.',
    tags,
    access: 'admin',
    params: idParams,
    responses: { 200: moduleSchema },
    problems: [404],
  }),
};

/** A module's public page, as the customer's browser uses it; no credentials. */
export const quickSupport = {
  page: defineEndpoint({
    method: 'GET',
    path: '/api/v1/public/modules/{slug}',
    operationId: 'getModulePage',
    summary: 'A module’s page: branding and the fields it asks for',
    description: 'Public. 404 for an unknown or switched-off module.',
    tags: publicTags,
    access: 'public',
    params: moduleSlugParams,
    responses: { 200: publicModuleSchema },
    problems: [404],
  }),
  request: defineEndpoint({
    method: 'POST',
    path: '/api/v1/public/modules/{slug}/requests',
    operationId: 'requestHelp',
    summary: 'A customer asks for help',
    description:
      'Public. Creates a case (source `module`, or `sos` from the SOS shortcut) in the module’s group and answers its customer link token, for the waiting room. The fields the module requires must be filled in; rate-limited per address.',
    tags: publicTags,
    access: 'public',
    params: moduleSlugParams,
    body: moduleRequest,
    responses: { 201: moduleRequestResponse },
    problems: [404, 429],
  }),
  logo: defineEndpoint({
    method: 'GET',
    path: '/api/v1/public/modules/{slug}/logo',
    operationId: 'getModuleLogo',
    summary: 'A module’s logo',
    description: 'Public. The image as uploaded, served inert (no sniffing, sandboxed); cached for a day.',
    tags: publicTags,
    access: 'public',
    params: moduleSlugParams,
    responses: { 200: { mediaTypes: logoTypes, description: 'The logo (PNG, JPEG, GIF or WebP).' } },
    problems: [404],
  }),
  sosShortcut: defineEndpoint({
    method: 'GET',
    path: '/api/v1/public/modules/{slug}/sos/{platform}',
    operationId: 'getSosShortcut',
    summary: 'The SOS desktop shortcut',
    description:
      'Public. A file to put on the desktop that opens the module’s page marked `sos`: Windows `.url`, macOS `.webloc` or Linux `.desktop`.',
    tags: publicTags,
    access: 'public',
    params: sosParams,
    responses: {
      200: {
        mediaTypes: ['application/internet-shortcut', 'application/x-apple-plist', 'application/x-desktop'],
        description: 'The shortcut file, as an attachment.',
      },
    },
    problems: [404],
  }),
};
