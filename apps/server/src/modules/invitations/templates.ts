import { escapeHtml } from '../../lib/html.js';

/** What every invitation carries, whichever the channel. */
export interface InvitationContent {
  organization: string;
  customerLink: string;
  /** The page where a code is typed (`/support`), for a customer who cannot follow the link. */
  supportUrl: string;
  code: string;
  /** The agent's own words, if any. */
  message: string | undefined;
  agentName: string | null;
}

export function renderEmail(c: InvitationContent): { subject: string; text: string; html: string } {
  const subject = `${c.organization}: your remote support session`;
  const from = c.agentName ? `${c.agentName} from ${c.organization}` : c.organization;
  const text = [
    'Hello,',
    '',
    `${from} invites you to a remote support session.`,
    ...(c.message ? ['', c.message] : []),
    '',
    'Open this link to join:',
    c.customerLink,
    '',
    `Or go to ${c.supportUrl} and enter the session code ${c.code}.`,
    '',
    'You will be asked before anyone can see your screen or camera.',
  ].join('\n');
  // Every piece of text that came from a person is escaped; the link is attribute-escaped too.
  const message = c.message
    ? `<p style="white-space:pre-line;border-left:3px solid #ccc;padding-left:12px">${escapeHtml(c.message)}</p>`
    : '';
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a">
<p>Hello,</p>
<p>${escapeHtml(from)} invites you to a remote support session.</p>
${message}
<p><a href="${escapeHtml(c.customerLink)}" style="display:inline-block;padding:10px 18px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:6px">Join the support session</a></p>
<p>Or go to <a href="${escapeHtml(c.supportUrl)}">${escapeHtml(c.supportUrl)}</a> and enter the session code <strong>${escapeHtml(c.code)}</strong>.</p>
<p style="color:#555">You will be asked before anyone can see your screen or camera.</p>
</body>
</html>
`;
  return { subject, text, html };
}

/** Short enough for two SMS segments with a typical agent message. */
export function renderSms(c: InvitationContent): string {
  return [
    `${c.organization}: ${c.message ?? 'Join your remote support session'}`,
    `${c.customerLink} (code ${c.code})`,
  ].join('\n');
}
