import {
  type ConnectorApp,
  type ConnectorUrls,
  type CreatedConnectorApp,
  type createConnectorAppRequest,
  pagesClientIdOf,
  type updateConnectorAppRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import type { ConnectorAppRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import type { Deps } from '../../lib/deps.js';
import { conflict, notFound } from '../../lib/errors.js';
import { sha256 } from '../../lib/random.js';
import type { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../auth/principal.js';
import type { OAuthRepository } from './oauth.repository.js';

/** Recognisable in logs and secret scanners, like personal API tokens (`llt_`). */
const CLIENT_ID_PREFIX = 'llc_';
const CLIENT_SECRET_PREFIX = 'llcs_';

/**
 * The placeholders each CRM fills in with the record on screen, by connector
 * parameter. Values are left unencoded on purpose: the CRM substitutes them
 * (its own functions URL-encode where it offers one).
 */
/** ServiceNow's Jelly expression for a field of the current record, e.g. `${current.sys_id}`. */
const jelly = (field: string) => `$${'{'}${field}}`;

const placeholders = {
  sapC4c: {
    system: 'sap-c4c',
    case: {
      record_type: 'ticket',
      record_id: '{TicketID}',
      subject: '{TicketSubject}',
      contact_name: '{ContactName}',
      contact_email: '{ContactEMail}',
      contact_phone: '{ContactPhone}',
    },
    desktop: {
      record_type: 'contact',
      record_id: '{ContactID}',
      contact_name: '{ContactName}',
      contact_email: '{ContactEMail}',
      contact_phone: '{ContactPhone}',
    },
  },
  salesforce: {
    system: 'salesforce',
    case: {
      record_type: 'case',
      record_id: '{!Case.Id}',
      subject: '{!URLENCODE(Case.Subject)}',
      contact_name: '{!URLENCODE(Contact.Name)}',
      contact_email: '{!URLENCODE(Contact.Email)}',
      contact_phone: '{!URLENCODE(Contact.Phone)}',
    },
    desktop: {
      record_type: 'contact',
      record_id: '{!Contact.Id}',
      contact_name: '{!URLENCODE(Contact.Name)}',
      contact_email: '{!URLENCODE(Contact.Email)}',
      contact_phone: '{!URLENCODE(Contact.Phone)}',
    },
  },
  serviceNow: {
    system: 'servicenow',
    case: {
      record_type: 'incident',
      record_id: jelly('current.sys_id'),
      subject: jelly('current.short_description'),
      contact_name: jelly('current.caller_id.name'),
      contact_email: jelly('current.caller_id.email'),
      contact_phone: jelly('current.caller_id.phone'),
    },
    desktop: {
      record_type: 'user',
      record_id: jelly('current.sys_id'),
      contact_name: jelly('current.name'),
      contact_email: jelly('current.email'),
      contact_phone: jelly('current.phone'),
    },
  },
} as const;

export function connectorUrls(publicUrl: string, clientId: string): ConnectorUrls {
  const build = (page: 'case' | 'desktop', system: string, params: Record<string, string>) =>
    `${publicUrl}/connector/${page}?client_id=${encodeURIComponent(clientId)}&system=${system}&${Object.entries(
      params,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join('&')}`;
  const of = (crm: keyof typeof placeholders) => ({
    case: build('case', placeholders[crm].system, placeholders[crm].case),
    desktop: build('desktop', placeholders[crm].system, placeholders[crm].desktop),
  });
  return { sapC4c: of('sapC4c'), salesforce: of('salesforce'), serviceNow: of('serviceNow') };
}

type CreateInput = z.output<typeof createConnectorAppRequest>;
type UpdateInput = z.output<typeof updateConnectorAppRequest>;

/** Admins register connector apps (OAuth clients) and get the URLs to paste into their CRM. */
export class ConnectorAppsService {
  constructor(
    private readonly deps: Deps,
    private readonly repo: OAuthRepository,
    private readonly auth: AuthService,
  ) {}

  present(row: ConnectorAppRow): ConnectorApp {
    return {
      id: row.id,
      name: row.name,
      clientId: row.client_id,
      redirectUris: JSON.parse(row.redirect_uris) as string[],
      allowedOrigins: JSON.parse(row.allowed_origins) as string[],
      connectorUrls: connectorUrls(this.deps.config.publicUrl, row.client_id),
      createdAt: toIso(row.created_at),
      updatedAt: toIso(row.updated_at),
    };
  }

  async list(p: Principal) {
    return (await this.repo.listApps(p.orgId)).map((r) => this.present(r));
  }

  async get(p: Principal, id: string) {
    return this.present(await this.find(p, id));
  }

  async create(p: Principal, input: CreateInput): Promise<CreatedConnectorApp> {
    const now = this.deps.clock.now();
    const clientSecret = CLIENT_SECRET_PREFIX + this.deps.random.token(32);
    const row: ConnectorAppRow = {
      id: this.deps.newId(),
      org_id: p.orgId,
      name: input.name,
      client_id: CLIENT_ID_PREFIX + this.deps.random.token(12).replace(/[^A-Za-z0-9]/g, 'x'),
      secret_hash: sha256(clientSecret),
      redirect_uris: JSON.stringify(input.redirectUris),
      allowed_origins: JSON.stringify(input.allowedOrigins),
      created_at: now,
      updated_at: now,
    };
    if (!(await this.repo.insertApp(row)))
      throw conflict('client_id_taken', 'Try again: the client id was taken.');
    return { ...this.present(row), clientSecret };
  }

  async update(p: Principal, id: string, input: UpdateInput) {
    const row = await this.find(p, id);
    const patch = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.redirectUris !== undefined ? { redirect_uris: JSON.stringify(input.redirectUris) } : {}),
      ...(input.allowedOrigins !== undefined
        ? { allowed_origins: JSON.stringify(input.allowedOrigins) }
        : {}),
      updated_at: this.deps.clock.now(),
    };
    await this.repo.updateApp(row.id, patch);
    return this.present({ ...row, ...patch });
  }

  /** Removes the app and ends every token it was given, at once. */
  async delete(p: Principal, id: string) {
    const row = await this.find(p, id);
    await this.repo.deleteApp(row.id);
    await this.repo.deleteByClients([row.client_id, pagesClientIdOf(row.client_id)]);
    this.auth.forgetOAuthTokens();
  }

  /**
   * Origins that may frame the connector pages of `clientId`; none for an
   * unknown client, so a page without a valid app is never frameable.
   */
  async frameAncestors(clientId: string | undefined): Promise<string[]> {
    if (!clientId) return [];
    const app = await this.repo.findAppByClientId(clientId);
    return app ? (JSON.parse(app.allowed_origins) as string[]) : [];
  }

  private async find(p: Principal, id: string) {
    const row = await this.repo.findApp(p.orgId, id);
    if (!row) throw notFound('The connector app');
    return row;
  }
}
