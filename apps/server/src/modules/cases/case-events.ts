import type { Actor, CaseEventType } from '@lifeline/contracts';
import type { CaseRow, NewCaseEventRow } from '../../db/schema.js';

/** One audit-trail entry of a case, as stored. */
export function caseEvent(
  row: Pick<CaseRow, 'id' | 'org_id'>,
  /** `case.deleted` is written only for listeners: a deleted case has no audit trail left. */
  type: CaseEventType | 'case.deleted',
  actor: Actor,
  data: object,
  now: number,
): NewCaseEventRow {
  return {
    case_id: row.id,
    org_id: row.org_id,
    type,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_name: actor.name,
    data: JSON.stringify(data),
    created_at: now,
  };
}
