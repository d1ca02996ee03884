import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Sample CRM records: service cases with their contact, and the contacts of an account. */
export const SAMPLE_CASES = [
  {
    id: 'CASE-1001',
    subject: 'Printer offline after update',
    contact: { id: 'C-1', name: 'Cleo Customer', email: 'cleo@example.com', phone: '+49 30 1234567' },
  },
  {
    id: 'CASE-1002',
    subject: 'Router lights blinking',
    contact: { id: 'C-2', name: 'Dan Doe', email: 'dan@example.com', phone: '+44 20 7946 0958' },
  },
  {
    id: 'CASE-1003',
    subject: 'Cannot open invoices',
    contact: { id: 'C-3', name: 'Eve Example', email: 'eve@example.com', phone: '+1 212 555 0100' },
  },
];

export interface DemoCrmOptions {
  /** Where Lifeline runs, e.g. http://localhost:8080. */
  lifelineUrl: string;
  /** The connector app registered for this CRM's origin. */
  clientId: string;
  port?: number;
  /** Interface to listen on. */
  listen?: string;
  /** How the browser reaches this CRM; a host other than Lifeline's makes the frame third-party. */
  publicHost?: string;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function layout(title: string, nav: 'cases' | 'desktop', body: string) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · Demo CRM</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; background: #eef1f5; color: #1d2733; }
  header { background: #23395d; color: #fff; padding: .6rem 1rem; display: flex; gap: 1.5rem; align-items: center; }
  header a { color: #cfe0ff; text-decoration: none; }
  header a[aria-current="page"] { color: #fff; font-weight: 600; }
  main { display: grid; grid-template-columns: 260px 1fr; gap: 1rem; padding: 1rem; }
  nav ul { list-style: none; padding: 0; margin: 0; background: #fff; border-radius: 6px; }
  nav li a { display: block; padding: .6rem .8rem; color: inherit; text-decoration: none; border-bottom: 1px solid #e3e7ee; }
  nav li a[aria-current="page"] { background: #dde8fb; }
  section { background: #fff; border-radius: 6px; padding: 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { color: #5b6b80; }
  iframe { width: 100%; height: 640px; border: 1px solid #ccd4df; border-radius: 6px; background: #fff; }
</style>
</head>
<body>
<header><strong>Demo CRM</strong>
  <a href="/" ${nav === 'cases' ? 'aria-current="page"' : ''}>Service cases</a>
  <a href="/desktop" ${nav === 'desktop' ? 'aria-current="page"' : ''}>Agent desktop</a>
</header>
<main>${body}</main>
</body>
</html>`;
}

function connectorUrl(o: DemoCrmOptions, page: 'case' | 'desktop', params: Record<string, string>) {
  const query = new URLSearchParams({ client_id: o.clientId, system: 'demo-crm', ...params });
  return `${o.lifelineUrl.replace(/\/+$/, '')}/connector/${page}?${query}`;
}

function casesPage(o: DemoCrmOptions, origin: string, selected: string | null) {
  const record = SAMPLE_CASES.find((c) => c.id === selected) ?? SAMPLE_CASES[0];
  if (!record) return layout('Cases', 'cases', '');
  const list = SAMPLE_CASES.map(
    (c) =>
      `<li><a href="/?record=${c.id}" ${c.id === record.id ? 'aria-current="page"' : ''}>${c.id} · ${escapeHtml(c.subject)}</a></li>`,
  ).join('');
  const src = connectorUrl(o, 'case', {
    record_type: 'case',
    record_id: record.id,
    record_url: `${origin}/?record=${record.id}`,
    subject: record.subject,
    contact_name: record.contact.name,
    contact_email: record.contact.email,
    contact_phone: record.contact.phone,
  });
  return layout(
    record.id,
    'cases',
    `<nav aria-label="Service cases"><ul>${list}</ul></nav>
<section aria-label="Case ${record.id}">
  <h1>${escapeHtml(record.subject)}</h1>
  <dl><dt>Case</dt><dd>${record.id}</dd><dt>Contact</dt><dd>${escapeHtml(record.contact.name)}</dd>
  <dt>E-mail</dt><dd>${escapeHtml(record.contact.email)}</dd><dt>Phone</dt><dd>${escapeHtml(record.contact.phone)}</dd></dl>
  <iframe title="Lifeline connector" src="${escapeHtml(src)}"></iframe>
</section>`,
  );
}

function desktopPage(o: DemoCrmOptions, selected: string | null) {
  const contacts = SAMPLE_CASES.map((c) => c.contact);
  const contact = contacts.find((c) => c.id === selected) ?? contacts[0];
  if (!contact) return layout('Agent desktop', 'desktop', '');
  const list = contacts
    .map(
      (c) =>
        `<li><a href="/desktop?contact=${c.id}" ${c.id === contact.id ? 'aria-current="page"' : ''}>${escapeHtml(c.name)}</a></li>`,
    )
    .join('');
  const src = connectorUrl(o, 'desktop', {
    record_type: 'contact',
    record_id: contact.id,
    contact_name: contact.name,
    contact_email: contact.email,
    contact_phone: contact.phone,
  });
  return layout(
    contact.name,
    'desktop',
    `<nav aria-label="Contacts"><ul>${list}</ul></nav>
<section aria-label="Contact ${escapeHtml(contact.name)}">
  <h1>${escapeHtml(contact.name)}</h1>
  <dl><dt>E-mail</dt><dd>${escapeHtml(contact.email)}</dd><dt>Phone</dt><dd>${escapeHtml(contact.phone)}</dd></dl>
  <iframe title="Lifeline connector" src="${escapeHtml(src)}"></iframe>
</section>`,
  );
}

/** A stand-in CRM on its own origin that embeds Lifeline's connector pages for sample records. */
export async function startDemoCrm(options: DemoCrmOptions) {
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    let html: string | undefined;
    if (url.pathname === '/') html = casesPage(options, origin, url.searchParams.get('record'));
    else if (url.pathname === '/desktop') html = desktopPage(options, url.searchParams.get('contact'));
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.listen ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  origin = `http://${options.publicHost ?? '127.0.0.1'}:${port}`;
  return {
    origin,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
