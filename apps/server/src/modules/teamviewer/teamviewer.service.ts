import type {
  CaseStatus,
  TvSession,
  tvCreateSessionRequest,
  tvEndCustomer,
  tvListSessionsQuery,
  tvUpdateSessionRequest,
} from '@lifeline/contracts';
import type { z } from 'zod';
import type { CaseRow } from '../../db/schema.js';
import { toIso } from '../../lib/clock.js';
import type { Deps } from '../../lib/deps.js';
import { invalidField } from '../../lib/errors.js';
import type { Principal } from '../auth/principal.js';
import { isEnded, presentCase } from '../cases/cases.presenter.js';
import type { CasesService } from '../cases/cases.service.js';
import type { PeopleService } from '../people/people.service.js';

/** TeamViewer pages its session list; Lifeline answers this many sessions a page. */
export const TV_PAGE_SIZE = 100;

const OPEN: CaseStatus[] = ['new', 'pending', 'in_progress'];
const CLOSED: CaseStatus[] = ['closed', 'expired'];

/**
 * TeamViewer-style ids: `u`/`g` and the 32 hex digits of Lifeline's UUID, so
 * the mapping is stable, reversible and needs no table (docs/TEAMVIEWER-API.md).
 */
export const tvId = (prefix: 'u' | 'g', id: string) => prefix + id.replaceAll('-', '');
export function lifelineId(tv: string): string {
  const hex = tv.slice(1);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type EndCustomer = z.output<typeof tvEndCustomer>;
const customerOf = (c: EndCustomer): { name?: string | undefined; email?: string | undefined } =>
  typeof c === 'string'
    ? { name: c || undefined }
    : { name: c.name || undefined, email: c.email || undefined };

/** SPEC: a case needs a name; a session created without one is named after its end customer or description. */
function sessionName(
  customer: { name?: string | undefined; email?: string | undefined },
  description?: string,
) {
  const who = customer.name ?? customer.email;
  if (who) return `Session for ${who}`.slice(0, 200);
  const firstLine = description
    ?.split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return firstLine ? firstLine.slice(0, 200) : 'Support session';
}

/**
 * The TeamViewer-compatible sessions API: a thin adapter that translates
 * TeamViewer's session shapes to the cases service and back. It writes
 * nothing itself; every rule (groups, assignees, who may close) is the cases
 * service's.
 */
export class TeamViewerSessions {
  constructor(
    private readonly deps: Deps,
    private readonly cases: CasesService,
    private readonly people: PeopleService,
  ) {}

  private async groupNames(orgId: string) {
    return new Map((await this.people.listGroups(orgId)).map((g) => [g.id, g.name]));
  }

  private async groupIdOf(
    p: Principal,
    body: { groupid?: string | undefined; groupname?: string | undefined },
  ) {
    if (body.groupid) return lifelineId(body.groupid);
    if (body.groupname === undefined) return undefined;
    const wanted = body.groupname.toLowerCase();
    const group = (await this.people.listGroups(p.orgId)).find((g) => g.name.toLowerCase() === wanted);
    if (!group) throw invalidField('groupname', 'is not a group of your organisation');
    return group.id;
  }

  private present(row: CaseRow, groups: Map<string, string>): TvSession {
    const c = presentCase(row, this.deps.clock.now(), this.deps.config.publicUrl);
    const customer = {
      ...(row.customer_name ? { name: row.customer_name } : {}),
      ...(row.customer_email ? { email: row.customer_email } : {}),
    };
    return {
      code: row.code,
      state: isEnded(c.status) ? 'closed' : 'open',
      online: row.customer_online === 1,
      groupid: tvId('g', row.group_id),
      groupname: groups.get(row.group_id) ?? '',
      ...(row.waiting_message ? { waiting_message: row.waiting_message } : {}),
      ...(row.description ? { description: row.description } : {}),
      ...(Object.keys(customer).length ? { end_customer: customer } : {}),
      ...(row.assignee_id ? { assigned_userid: tvId('u', row.assignee_id) } : {}),
      ...(row.assignee_id && row.assigned_at ? { assigned_at: toIso(row.assigned_at) } : {}),
      end_customer_link: c.links.customer,
      supporter_link: c.links.agent,
      webclient_supporter_link: c.links.agent,
      ...(row.custom_api ? { custom_api: row.custom_api } : {}),
      created_at: toIso(row.created_at),
      valid_until: toIso(row.expires_at),
      ...(c.closedAt ? { closed_at: c.closedAt } : {}),
    };
  }

  async get(p: Principal, code: string): Promise<TvSession> {
    const row = await this.cases.findRow(p.orgId, code);
    return this.present(row, await this.groupNames(p.orgId));
  }

  async create(p: Principal, body: z.output<typeof tvCreateSessionRequest>): Promise<TvSession> {
    const customer = customerOf(body.end_customer ?? {});
    const groupId = await this.groupIdOf(p, body);
    const assignee =
      body.assigned_userid && body.assigned_userid !== 'u0' ? lifelineId(body.assigned_userid) : undefined;
    const source = p.via === 'oauth' ? 'connector' : 'api';
    const created = await this.cases.create(
      p,
      {
        name: sessionName(customer, body.description),
        type: 'remote_control',
        ...(groupId ? { groupId } : {}),
        ...(body.description ? { description: body.description } : {}),
        ...(assignee ? { assigneeId: assignee } : {}),
        ...(customer.name || customer.email
          ? {
              customer: {
                ...(customer.name ? { name: customer.name } : {}),
                ...(customer.email ? { email: customer.email } : {}),
              },
            }
          : {}),
        ...(body.waiting_message ? { waitingMessage: body.waiting_message } : {}),
      },
      source,
      body.custom_api === undefined ? {} : { customApi: body.custom_api },
    );
    return this.get(p, created.code);
  }

  async list(p: Principal, query: z.output<typeof tvListSessionsQuery>) {
    const states = new Set(query.state?.split(','));
    const statuses = states.size === 0 || states.size === 2 ? undefined : states.has('open') ? OPEN : CLOSED;
    if (query.assigned_userid === 'u0')
      throw invalidField('assigned_userid', 'u0 (nobody) cannot be listed; leave the filter out');
    const { rows, total } = await this.cases.page(
      p,
      {
        ...(statuses ? { statuses } : {}),
        ...(query.groupid ? { groupId: lifelineId(query.groupid) } : {}),
        ...(query.assigned_userid ? { assigneeId: lifelineId(query.assigned_userid) } : {}),
      },
      query.offset,
      TV_PAGE_SIZE + 1,
    );
    const groups = await this.groupNames(p.orgId);
    const shown = rows.slice(0, TV_PAGE_SIZE);
    const next = rows[TV_PAGE_SIZE];
    return {
      sessions: shown.map((row) => this.present(row, groups)),
      ...(next ? { next_offset: next.code } : {}),
      sessions_remaining: total - shown.length,
    };
  }

  /** Changes the given fields; `state: closed` closes (after the other changes), `assigned_userid: u0` unassigns. */
  async update(p: Principal, code: string, body: z.output<typeof tvUpdateSessionRequest>): Promise<void> {
    const customer = body.end_customer === undefined ? undefined : customerOf(body.end_customer);
    const groupId = await this.groupIdOf(p, body);
    const input = {
      ...(groupId ? { groupId } : {}),
      ...(body.description !== undefined ? { description: body.description || null } : {}),
      ...(customer ? { customer: { name: customer.name ?? null, email: customer.email ?? null } } : {}),
      ...(body.waiting_message !== undefined ? { waitingMessage: body.waiting_message || null } : {}),
      ...(body.assigned_userid !== undefined
        ? { assigneeId: body.assigned_userid === 'u0' ? null : lifelineId(body.assigned_userid) }
        : {}),
    };
    if (Object.keys(input).length || body.custom_api !== undefined)
      await this.cases.update(
        p,
        code,
        input,
        body.custom_api === undefined ? {} : { customApi: body.custom_api },
      );
    if (body.state === 'closed') await this.cases.close(p, code);
    else if (Object.keys(input).length === 0 && body.custom_api === undefined)
      await this.cases.findRow(p.orgId, code);
  }

  async delete(p: Principal, code: string) {
    await this.cases.delete(p, code);
  }
}
