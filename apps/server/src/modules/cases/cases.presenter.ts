import type {
  Actor,
  Case,
  CaseEvent,
  CaseEventType,
  CaseStatus,
  TransferEntry,
  TransferReport,
} from '@lifeline/contracts';
import { openStatuses } from '@lifeline/contracts';
import type { CaseEventRow, CaseRow } from '../../db/schema.js';
import { toIso, toIsoOrNull } from '../../lib/clock.js';

/** What a reader sees now: an open case past its expiry is expired even before the sweep stores it. */
export function effectiveStatus(row: Pick<CaseRow, 'status' | 'expires_at'>, now: number): CaseStatus {
  const open = (openStatuses as readonly string[]).includes(row.status);
  return open && row.expires_at <= now ? 'expired' : row.status;
}

export const isEnded = (status: CaseStatus) => status === 'closed' || status === 'expired';

export function caseLinks(publicUrl: string, row: Pick<CaseRow, 'code' | 'customer_token'>) {
  return {
    agent: `${publicUrl}/session/${row.code}`,
    customer: `${publicUrl}/j/${row.customer_token}`,
  };
}

export function presentCase(row: CaseRow, now: number, publicUrl: string): Case {
  return {
    code: row.code,
    name: row.name,
    description: row.description,
    type: row.type,
    status: effectiveStatus(row, now),
    source: row.source,
    groupId: row.group_id,
    assigneeId: row.assignee_id,
    createdBy: { type: row.created_by_type, id: row.created_by_id, name: row.created_by_name },
    customer: { name: row.customer_name, email: row.customer_email, phone: row.customer_phone },
    external:
      row.external_system && row.external_type && row.external_id
        ? { system: row.external_system, type: row.external_type, id: row.external_id, url: row.external_url }
        : null,
    waitingMessage: row.waiting_message,
    links: caseLinks(publicUrl, row),
    presence: { agent: row.agent_online === 1, customer: row.customer_online === 1 },
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    expiresAt: toIso(row.expires_at),
    closedAt: toIsoOrNull(row.closed_at),
    closedBy: row.closed_by_type
      ? ({ type: row.closed_by_type, id: row.closed_by_id, name: row.closed_by_name } satisfies Actor)
      : null,
  };
}

export function presentEvent(row: CaseEventRow): CaseEvent {
  return {
    id: String(row.id),
    type: row.type as CaseEvent['type'],
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: toIso(row.created_at),
  };
}

/** The audit events of file and clipboard transfers, which the outcome lists. */
export const TRANSFER_EVENTS = [
  'file.transferred',
  'clipboard.pasted',
  'clipboard.read',
] as const satisfies CaseEventType[];

/** One transfer event as the outcome lists it; its data is the agent's report less its `kind`, checked when it came. */
export function presentTransfer(row: CaseEventRow): TransferEntry {
  const agent = { id: row.actor_id, name: row.actor_name };
  const at = toIso(row.created_at);
  if (row.type === 'file.transferred') {
    const d = JSON.parse(row.data) as Omit<Extract<TransferReport, { kind: 'file' }>, 'kind'>;
    return {
      at,
      agent,
      kind: 'file',
      direction: d.direction,
      name: d.name,
      bytes: d.bytes,
      characters: null,
      result: d.result,
      cancelledBy: d.cancelledBy ?? null,
    };
  }
  const d = JSON.parse(row.data) as { characters: number };
  return {
    at,
    agent,
    kind: 'clipboard',
    direction: row.type === 'clipboard.read' ? 'from_customer' : 'to_customer',
    name: null,
    bytes: null,
    characters: d.characters,
    result: 'delivered',
    cancelledBy: null,
  };
}
