import { z } from 'zod';
import { caseType, waitingMessage } from './cases.js';
import { id, timestamp } from './common.js';
import { MAX_CUSTOMER_DESCRIPTION } from './constants.js';

/**
 * Custom QuickSupport modules (SPEC §4.3, §4.4): a branded public page
 * `/qs/{slug}` where customers ask for help themselves, and the SOS desktop
 * shortcuts that open it.
 */

export const moduleSlug = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(64)
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    'may hold only lower-case letters, digits and inner dashes (it becomes the page address)',
  );
export const moduleTitle = z.string().trim().min(1, 'is required').max(100);
export const welcomeText = z.string().trim().max(2000);
export const accentColor = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a #rrggbb colour');
/** Whether the page asks for a field, and whether the customer must fill it in. */
export const fieldMode = z.enum(['off', 'optional', 'required']);
export type FieldMode = z.infer<typeof fieldMode>;
export const moduleFields = z.strictObject({
  name: fieldMode,
  email: fieldMode,
  description: fieldMode,
});
export type ModuleFields = z.infer<typeof moduleFields>;

/** What customers see of a module: its look and its form. */
const moduleFace = z.object({
  slug: z.string(),
  title: z.string(),
  welcomeText: z.string().nullable(),
  accentColor: z.string(),
  /** Changes whenever the logo does, so browsers never show a stale one. */
  logoUrl: z.string().nullable(),
  fields: moduleFields,
  caseType,
});

export const moduleSchema = moduleFace
  .extend({
    id,
    groupId: id,
    waitingMessage: z.string().nullable(),
    enabled: z.boolean(),
    links: z.object({ page: z.url(), sos: z.url() }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'QuickSupportModule' });
export type QuickSupportModule = z.infer<typeof moduleSchema>;

export const createModuleRequest = z
  .strictObject({
    slug: moduleSlug,
    title: moduleTitle,
    welcomeText: welcomeText.optional(),
    accentColor: accentColor.default('#1c7ed6'),
    fields: moduleFields.default({ name: 'required', email: 'optional', description: 'required' }),
    caseType: caseType.default('remote_control'),
    groupId: id.optional(),
    waitingMessage: waitingMessage.optional(),
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'CreateModuleRequest' });
export type CreateModuleRequest = z.input<typeof createModuleRequest>;

export const updateModuleRequest = z
  .strictObject({
    slug: moduleSlug,
    title: moduleTitle,
    welcomeText: welcomeText.nullable(),
    accentColor,
    fields: moduleFields,
    caseType,
    groupId: id,
    waitingMessage: waitingMessage.nullable(),
    enabled: z.boolean(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, {
    message: 'at least one field is required',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateModuleRequest' });
export type UpdateModuleRequest = z.input<typeof updateModuleRequest>;

export const logoTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type LogoType = (typeof logoTypes)[number];
export const MAX_LOGO_BYTES = 256 * 1024;

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

/**
 * What an image file is, from its first bytes, whatever its name or declared
 * type say. The server decides with it; the console uses it too, to refuse a
 * file before anything is saved.
 */
export function sniffImage(bytes: Uint8Array): LogoType | 'svg' | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39))
    return 'image/gif';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp';
  const head = new TextDecoder().decode(bytes.subarray(0, 1024)).trimStart().toLowerCase();
  if (head.startsWith('<') && head.includes('<svg')) return 'svg';
  return undefined;
}

export const logoProblems = {
  svg: 'SVG logos are not accepted, because they can carry scripts. Upload a PNG, JPEG, GIF or WebP image.',
  unknown: 'The file is not a PNG, JPEG, GIF or WebP image.',
  tooLarge: (bytes: number) =>
    `The logo may be at most ${MAX_LOGO_BYTES / 1024} KB; this one is ${Math.ceil(bytes / 1024)} KB.`,
};

/** What the public page may know: branding and the form, nothing internal. */
export const publicModuleSchema = moduleFace
  .extend({ organization: z.object({ name: z.string() }) })
  .meta({ id: 'PublicModule' });
export type PublicModule = z.infer<typeof publicModuleSchema>;

export const moduleSlugParams = z.strictObject({ slug: z.string().min(1).max(64) });

/**
 * The customer's request. Which fields are required is the module's choice,
 * checked by the server against it; here only their shape.
 */
export const moduleRequest = z
  .strictObject({
    name: z.string().trim().max(200, 'must be at most 200 characters').optional(),
    email: z.union([z.literal(''), z.email('must be an e-mail address').max(254)]).optional(),
    description: z
      .string()
      .trim()
      .max(MAX_CUSTOMER_DESCRIPTION, `must be at most ${MAX_CUSTOMER_DESCRIPTION} characters`)
      .optional(),
    /** Set by the SOS shortcut's link (`?sos=1`): the case is recorded with source `sos`. */
    sos: z.boolean().default(false),
  })
  .meta({ id: 'HelpRequest' });
export type ModuleRequest = z.input<typeof moduleRequest>;

export const moduleRequestResponse = z
  .object({
    code: z.string(),
    /** The customer link's secret token: the page goes on to `/j/{token}`'s waiting room. */
    token: z.string(),
  })
  .meta({ id: 'HelpRequestResult' });

export const sosPlatform = z.enum(['windows', 'macos', 'linux']);
export type SosPlatform = z.infer<typeof sosPlatform>;
export const sosParams = z.strictObject({ slug: z.string().min(1).max(64), platform: sosPlatform });
