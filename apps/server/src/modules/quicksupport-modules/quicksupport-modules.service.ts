import type {
  createModuleRequest,
  moduleRequest,
  PublicModule,
  QuickSupportModule,
  SosPlatform,
  updateModuleRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import { isUniqueViolation } from '../../db/database.js';
import type { ModuleRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import type { Deps } from '../../lib/deps.js';
import { AppError, conflict, invalidField, notFound } from '../../lib/errors.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import type { CasesService } from '../cases/cases.service.js';
import type { PeopleService } from '../people/people.service.js';
import { checkLogo } from './logo.js';
import { QuickSupportModulesRepository } from './quicksupport-modules.repository.js';
import { sosShortcut } from './shortcuts.js';

type CreateInput = z.output<typeof createModuleRequest>;
type UpdateInput = z.output<typeof updateModuleRequest>;
type RequestInput = z.output<typeof moduleRequest>;

/** A customer asks once or twice; more from one address within the window is someone filling the queue. */
const REQUESTS_PER_ADDRESS = 5;
const REQUEST_WINDOW_MS = 15 * 60_000;
const NAME_FROM_DESCRIPTION_CHARS = 80;

const fieldLabels = { name: 'Your name', email: 'E-mail', description: 'Problem description' } as const;

/** The case name a customer's request gets: the first line of the problem, else who asks, else the page. */
export function caseNameFor(title: string, input: { name?: string; description?: string }) {
  const firstLine = input.description
    ?.split(/\r?\n/)
    .find((l) => l.trim())
    ?.trim();
  if (firstLine) {
    return firstLine.length > NAME_FROM_DESCRIPTION_CHARS
      ? `${firstLine.slice(0, NAME_FROM_DESCRIPTION_CHARS - 1).trimEnd()}…`
      : firstLine;
  }
  if (input.name) return `Help request from ${input.name}`;
  return `${title} request`;
}

export class QuickSupportModulesService {
  readonly repo: QuickSupportModulesRepository;
  private readonly requests: RateLimiter;

  constructor(
    private readonly deps: Deps,
    private readonly people: PeopleService,
    private readonly cases: CasesService,
  ) {
    this.repo = new QuickSupportModulesRepository(deps.database.db);
    this.requests = new RateLimiter(deps.counters, 'module-request', REQUESTS_PER_ADDRESS, REQUEST_WINDOW_MS);
  }

  private links(slug: string) {
    const page = `${this.deps.config.publicUrl}/qs/${slug}`;
    return { page, sos: `${page}?sos=1` };
  }

  private logoUrl(row: Pick<ModuleRow, 'slug' | 'logo_version'>) {
    return row.logo_version === null
      ? null
      : `/api/v1/public/modules/${row.slug}/logo?v=${row.logo_version.toString(36)}`;
  }

  /** What customers see of a module, the admin's view and the public page alike. */
  private face(row: ModuleRow) {
    return {
      slug: row.slug,
      title: row.title,
      welcomeText: row.welcome_text,
      accentColor: row.accent_color,
      logoUrl: this.logoUrl(row),
      fields: { name: row.field_name, email: row.field_email, description: row.field_description },
      caseType: row.case_type,
    };
  }

  present = (row: ModuleRow): QuickSupportModule => ({
    ...this.face(row),
    id: row.id,
    groupId: row.group_id,
    waitingMessage: row.waiting_message,
    enabled: row.enabled === 1,
    links: this.links(row.slug),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  });

  private async assertGroup(orgId: string, groupId: string) {
    if (!(await this.people.hasGroup(orgId, groupId)))
      throw invalidField('groupId', 'is not a group of your organisation');
  }

  private async existing(orgId: string, id: string) {
    const row = await this.repo.find(orgId, id);
    if (!row) throw notFound('This QuickSupport module');
    return row;
  }

  private slugTaken(slug: string) {
    return conflict('slug_taken', `The address /qs/${slug} is already used by another module.`);
  }

  async list(orgId: string) {
    return (await this.repo.list(orgId)).map(this.present);
  }

  async get(orgId: string, id: string) {
    return this.present(await this.existing(orgId, id));
  }

  async create(orgId: string, defaultGroupId: string, input: CreateInput) {
    if (input.groupId !== undefined) await this.assertGroup(orgId, input.groupId);
    const now = this.deps.clock.now();
    const row: ModuleRow = {
      id: this.deps.newId(),
      org_id: orgId,
      slug: input.slug,
      title: input.title,
      welcome_text: input.welcomeText || null,
      accent_color: input.accentColor.toLowerCase(),
      field_name: input.fields.name,
      field_email: input.fields.email,
      field_description: input.fields.description,
      case_type: input.caseType,
      group_id: input.groupId ?? defaultGroupId,
      waiting_message: input.waitingMessage || null,
      enabled: input.enabled ? 1 : 0,
      logo_version: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.repo.insert(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw this.slugTaken(input.slug);
      throw err;
    }
    return this.present(row);
  }

  async update(orgId: string, id: string, input: UpdateInput) {
    await this.existing(orgId, id);
    if (input.groupId !== undefined) await this.assertGroup(orgId, input.groupId);
    const patch = {
      slug: input.slug,
      title: input.title,
      welcome_text: input.welcomeText === undefined ? undefined : input.welcomeText || null,
      accent_color: input.accentColor?.toLowerCase(),
      field_name: input.fields?.name,
      field_email: input.fields?.email,
      field_description: input.fields?.description,
      case_type: input.caseType,
      group_id: input.groupId,
      waiting_message: input.waitingMessage === undefined ? undefined : input.waitingMessage || null,
      enabled: input.enabled === undefined ? undefined : input.enabled ? 1 : 0,
      updated_at: this.deps.clock.now(),
    };
    try {
      await this.repo.update(orgId, id, patch);
    } catch (err) {
      if (isUniqueViolation(err) && input.slug) throw this.slugTaken(input.slug);
      throw err;
    }
    return this.get(orgId, id);
  }

  async delete(orgId: string, id: string) {
    if (!(await this.repo.delete(orgId, id))) throw notFound('This QuickSupport module');
  }

  async setLogo(orgId: string, id: string, bytes: Buffer) {
    const logo = checkLogo(bytes);
    if (!(await this.repo.setLogo(orgId, id, logo, this.deps.clock.now())))
      throw notFound('This QuickSupport module');
    return this.get(orgId, id);
  }

  async removeLogo(orgId: string, id: string) {
    if (!(await this.repo.removeLogo(orgId, id, this.deps.clock.now())))
      throw notFound('This QuickSupport module');
    return this.get(orgId, id);
  }

  /** Unknown and switched-off pages are both 404, with codes the page tells apart. */
  private async enabledBySlug(slug: string) {
    const row = await this.repo.findBySlug(slug);
    if (!row) throw new AppError(404, 'module_not_found', 'Not found', 'There is no support page here.');
    if (row.enabled !== 1) {
      throw new AppError(404, 'module_disabled', 'Not found', 'This support page is switched off.');
    }
    return row;
  }

  async publicPage(slug: string): Promise<PublicModule> {
    const row = await this.enabledBySlug(slug);
    return { ...this.face(row), organization: { name: row.org_name } };
  }

  /** The look of a module's customer pages, or null once the module is gone. */
  async brandingFor(moduleId: string) {
    const row = await this.repo.brandingOf(moduleId);
    return row ? { title: row.title, accentColor: row.accent_color, logoUrl: this.logoUrl(row) } : null;
  }

  async logo(slug: string) {
    const logo = await this.repo.logoBySlug(slug);
    if (!logo) throw notFound('This logo');
    return { contentType: logo.content_type, bytes: logo.bytes };
  }

  /**
   * A customer's request on the module's page. Every field the module asks
   * for as required must be there, fields it does not ask for must not, and
   * nothing is written unless all of it holds.
   */
  async request(slug: string, input: RequestInput, clientIp: string) {
    const module = await this.enabledBySlug(slug);
    const modes = {
      name: module.field_name,
      email: module.field_email,
      description: module.field_description,
    };
    const values = {
      name: input.name || undefined,
      email: input.email || undefined,
      description: input.description || undefined,
    };
    const errors: { path: string; message: string }[] = [];
    for (const field of ['name', 'email', 'description'] as const) {
      if (modes[field] === 'required' && !values[field]) errors.push({ path: field, message: 'is required' });
      if (modes[field] === 'off' && values[field])
        errors.push({ path: field, message: 'is not asked for on this page' });
    }
    if (errors.length) {
      throw new AppError(
        400,
        'validation_failed',
        'Validation failed',
        errors.map((e) => `${fieldLabels[e.path as keyof typeof fieldLabels]} ${e.message}.`).join(' '),
        { errors },
      );
    }
    // Counted only for well-formed requests, so a customer correcting a typo is not locked out.
    await this.requests.consume(clientIp);
    const row = await this.cases.createForCustomer(
      module,
      {
        name: caseNameFor(module.title, values),
        description: values.description,
        customer: { name: values.name, email: values.email },
      },
      input.sos ? 'sos' : 'module',
    );
    return { code: row.code, token: row.customer_token };
  }

  async sosShortcut(slug: string, platform: SosPlatform) {
    const module = await this.enabledBySlug(slug);
    return sosShortcut(platform, module.title, this.links(module.slug).sos);
  }
}
