import type { Case, CaseEvent } from '@lifeline/contracts';
import { formatBytes, statusLabels } from '../../lib/format.js';

/** "Cleo (customer)", "Alex Agent (agent)": who took part in a session, by the role they had there. */
function participant(e: CaseEvent): string {
  const role = e.data.role === 'agent' || e.actor.type === 'user' ? 'agent' : 'customer';
  const name = e.actor.name ?? (role === 'agent' ? 'An agent' : 'The customer');
  return `${name} (${role})`;
}

/** Who did something in the console or the API: a person's name, or what did it. */
function actorName(e: CaseEvent): string {
  if (e.actor.type === 'customer') return participant(e);
  if (e.actor.type === 'system') return 'Lifeline';
  return e.actor.name ?? 'Someone';
}

const statusLabel = (s: unknown) => statusLabels[s as keyof typeof statusLabels] ?? String(s);

function duration(seconds: number) {
  const m = Math.floor(seconds / 60);
  return m ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

const characters = (n: unknown) => `${String(n)} character${n === 1 ? '' : 's'}`;

/**
 * A file the agent's page reported ("Ada Agent (agent) sent report.pdf (1.2 MB) to the customer"),
 * told from the side that acted: the sender, the receiver who declined, whoever cancelled.
 */
function fileSentence(e: CaseEvent): string {
  const d = e.data;
  const agent = participant(e);
  const file = `${typeof d.name === 'string' ? d.name : 'a file'}${typeof d.bytes === 'number' ? ` (${formatBytes(d.bytes)})` : ''}`;
  const toCustomer = d.direction === 'to_customer';
  const moved = toCustomer ? `${file} to the customer` : `${file} from the customer`;
  switch (d.result) {
    case 'delivered':
      return toCustomer ? `${agent} sent ${moved}` : `${agent} received ${moved}`;
    case 'declined':
      return toCustomer ? `The customer declined ${file} from ${agent}` : `${agent} declined ${moved}`;
    case 'too_large':
      return `${toCustomer ? `${file} from ${agent}` : `${file} from the customer`} was refused: too large`;
    case 'cancelled':
      if (d.cancelledBy === 'customer')
        return toCustomer
          ? `The customer cancelled ${file} from ${agent}`
          : `The customer cancelled sending ${file} to ${agent}`;
      return toCustomer ? `${agent} cancelled sending ${moved}` : `${agent} cancelled ${moved}`;
    default:
      return toCustomer
        ? `Sending ${moved} by ${agent} failed`
        : `Sending ${file} from the customer to ${agent} failed`;
  }
}

/**
 * One audit-trail entry as a sentence ("Cleo (customer) joined the session"),
 * and for chat messages the text written.
 */
export function describeEvent(
  e: CaseEvent,
  c: Pick<Case, 'type'>,
  userName: (id: unknown) => string,
): { title: string; text?: string } {
  const d = e.data;
  const what = (d.caseType ?? c.type) === 'ar' ? 'camera' : 'screen';
  const agentOf = (x: unknown) =>
    (x && typeof x === 'object' && 'name' in x && typeof x.name === 'string' && x.name) || 'the agent';
  switch (e.type) {
    case 'case.created':
      return { title: `${actorName(e)} created the case` };
    case 'case.updated': {
      const fields = d.changes && typeof d.changes === 'object' ? Object.keys(d.changes).join(', ') : '';
      return { title: `${actorName(e)} changed ${fields || 'the case'}` };
    }
    case 'case.assigned':
      if (!d.to) return { title: `${actorName(e)} unassigned the case` };
      if (d.to === e.actor.id) return { title: `${actorName(e)} took the case` };
      return { title: `${actorName(e)} assigned the case to ${userName(d.to)}` };
    case 'case.status_changed':
      return { title: `Status changed from ${statusLabel(d.from)} to ${statusLabel(d.to)}` };
    case 'case.closed':
      return { title: `${actorName(e)} closed the case` };
    case 'case.expired':
      return { title: 'The case expired' };
    case 'session.joined':
      return { title: `${participant(e)} joined the session` };
    case 'session.left':
      return { title: `${participant(e)} left the session` };
    case 'consent.allowed':
      return { title: `${participant(e)} allowed ${agentOf(d.agent)} to see the ${what}` };
    case 'consent.denied':
      return { title: `${participant(e)} denied ${agentOf(d.agent)} access to the ${what}` };
    case 'connection.started':
      return {
        title: `Remote connection started: ${typeof d.agentName === 'string' ? d.agentName : 'the agent'} sees the ${what}`,
      };
    case 'connection.ended':
      return {
        title:
          typeof d.durationSeconds === 'number'
            ? `Remote connection ended after ${duration(d.durationSeconds)}`
            : 'Remote connection ended',
      };
    case 'chat.message':
      return { title: `${participant(e)} wrote`, text: typeof d.text === 'string' ? d.text : '' };
    case 'file.transferred':
      return { title: fileSentence(e) };
    case 'clipboard.pasted':
      return { title: `${participant(e)} pasted ${characters(d.characters)} into the customer's clipboard` };
    case 'clipboard.read':
      return { title: `${participant(e)} read the customer's clipboard (${characters(d.characters)})` };
    case 'invitation.queued':
      return { title: `${actorName(e)} invited ${typeof d.to === 'string' ? d.to : 'the customer'}` };
    case 'invitation.sent':
      return { title: `Invitation sent to ${typeof d.to === 'string' ? d.to : 'the customer'}` };
    case 'invitation.failed':
      return { title: `Invitation to ${typeof d.to === 'string' ? d.to : 'the customer'} failed` };
    case 'recording.started':
      return { title: `${actorName(e)} started recording the session` };
    case 'recording.viewed':
      return { title: `${actorName(e)} played a recording` };
    case 'recording.downloaded':
      return { title: `${actorName(e)} downloaded a recording` };
    case 'recording.deleted':
      return {
        title:
          typeof d.retentionDays === 'number'
            ? `A recording was deleted after the retention of ${d.retentionDays} days`
            : 'A recording was deleted',
      };
  }
}
