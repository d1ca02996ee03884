import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Action, actions, type ConsentUi, type FileCommand, fileCommand, type View } from './view.js';

/**
 * The consent page on 127.0.0.1, opened in the person's own browser. Its
 * address carries a random secret, the Host header must be ours (no DNS
 * rebinding), and actions are JSON POSTs, which a foreign web page cannot
 * send here without a CORS preflight this server never answers.
 */
export class LocalPage implements ConsentUi {
  private view: View | undefined;
  private readonly streams = new Set<http.ServerResponse>();
  private readonly secret = randomBytes(18).toString('base64url');
  private readonly server: http.Server;

  constructor(
    private readonly onAction: (action: Action) => void,
    /** A file answer; resolves to why it could not be done, if so. */
    private readonly onFile: (command: FileCommand) => Promise<string | undefined>,
  ) {
    this.server = http.createServer((req, res) => this.route(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url() {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/${this.secret}/`;
  }

  show(view: View) {
    this.view = view;
    const data = `data: ${JSON.stringify(view)}\n\n`;
    for (const res of this.streams) res.write(data);
  }

  close() {
    for (const res of this.streams) res.end();
    this.server.close();
    this.server.closeAllConnections();
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse) {
    const { port } = this.server.address() as AddressInfo;
    const base = `/${this.secret}/`;
    if (req.headers.host !== `127.0.0.1:${port}` || !req.url?.startsWith(base)) {
      res.writeHead(404).end();
      return;
    }
    const path = req.url.slice(base.length);
    const headers = { 'cache-control': 'no-store', 'x-frame-options': 'DENY' };
    if (req.method === 'GET' && path === '') {
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      });
      res.end(PAGE);
    } else if (req.method === 'GET' && path === 'events') {
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
      if (this.view) res.write(`data: ${JSON.stringify(this.view)}\n\n`);
      this.streams.add(res);
      req.on('close', () => this.streams.delete(res));
    } else if (
      req.method === 'POST' &&
      (path === 'action' || path === 'file') &&
      req.headers['content-type'] === 'application/json'
    ) {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
        if (body.length > 8192) req.destroy();
      });
      req.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {}
        if (path === 'file') {
          const command = fileCommand.safeParse(json);
          if (!command.success) {
            res.writeHead(400, headers).end();
            return;
          }
          void this.onFile(command.data).then((problem) => {
            if (!problem) res.writeHead(204, headers).end();
            else
              res
                .writeHead(422, { ...headers, 'content-type': 'application/json' })
                .end(JSON.stringify({ message: problem }));
          });
          return;
        }
        const action = (json as { action?: unknown } | undefined)?.action;
        if (!actions.includes(action as Action)) {
          res.writeHead(400, headers).end();
          return;
        }
        this.onAction(action as Action);
        res.writeHead(204, headers).end();
      });
    } else {
      res.writeHead(404, headers).end();
    }
  }
}

/** The page itself: no framework, it only renders the view it is sent and posts button presses. */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeline QuickSupport</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f1f3f5; color: #212529; }
  main { max-width: 34rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 1px 3px #0002; }
  h1 { font-size: 1.1rem; color: #495057; margin: 0 0 1rem; }
  h2 { font-size: 1.4rem; margin: 0 0 1rem; }
  .bar { background: #c92a2a; color: #fff; padding: .6rem 1rem; border-radius: 6px; font-weight: 600; margin-bottom: 1rem; }
  .row { display: flex; gap: .75rem; flex-wrap: wrap; margin: 1rem 0; }
  button { font: inherit; padding: .55rem 1.2rem; border-radius: 6px; border: 1px solid #ced4da; background: #fff; cursor: pointer; }
  button.primary { background: #1c7ed6; border-color: #1c7ed6; color: #fff; }
  button.danger { background: #212529; border-color: #212529; color: #fff; }
  .muted { color: #868e96; font-size: .9rem; }
  section { border-top: 1px solid #dee2e6; margin-top: 1.2rem; padding-top: .6rem; }
  h3 { font-size: 1rem; margin: .4rem 0; }
  .file { border: 1px solid #dee2e6; border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
  .file .row { margin: .4rem 0 0; }
  progress { width: 100%; }
  .ask { background: #e7f5ff; border-radius: 6px; padding: .5rem .75rem; }
  input[type=text] { font: inherit; padding: .45rem .6rem; border: 1px solid #ced4da; border-radius: 6px; flex: 1; min-width: 12rem; }
  .error { color: #c92a2a; }
  ul.log { padding-left: 1.2rem; margin: .4rem 0; }
</style></head>
<body><main>
<h1>Lifeline QuickSupport</h1>
<div id="app"><p>Connecting…</p></div>
</main>
<script>
const app = document.getElementById('app');
const act = (action) => fetch('action', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action }) });
const el = (tag, props, ...children) => { const e = Object.assign(document.createElement(tag), props); e.append(...children); return e; };
const button = (label, action, cls) => el('button', { className: cls || '', onclick: () => act(action) }, label);
let fileProblem = '';
const file = async (command) => {
  const res = await fetch('file', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) });
  fileProblem = res.status === 422 ? (await res.json()).message : '';
  if (!fileProblem && command.do === 'send') pathInput.value = '';
  if (last) render(last);
};
const fileButton = (label, command, cls) => el('button', { className: cls || '', onclick: () => file(command) }, label);
// Kept across renders, so what the person types survives the progress updates.
const pathInput = el('input', { type: 'text', id: 'path', placeholder: 'e.g. /home/you/Documents/report.pdf' });
// As the agent's page writes sizes (formatBytes), so both name a file alike.
const size = (n) => {
  if (n < 1024) return n + ' B';
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (v >= 100 ? Math.round(v) : v.toFixed(1).replace(/[.]0$/, '')) + ' ' + units[i];
};
const stateText = (t, agent) => {
  const out = t.direction === 'out';
  switch (t.state) {
    case 'offered': return out ? 'Waiting for ' + agent + ' to accept…' : agent + ' wants to send you this file';
    case 'moving': return (out ? 'Sending… ' : 'Receiving… ') + size(t.bytes) + ' of ' + size(t.size);
    case 'sent': return 'Sent, waiting for confirmation…';
    case 'done': return out ? agent + ' received it' : 'Saved as ' + t.savedAs;
    case 'declined': return out ? agent + ' declined' : 'You declined';
    case 'too-large': return 'Refused: over the size limit';
    case 'cancelled': return t.cancelledBy === 'me' ? 'You cancelled' : agent + ' cancelled';
    default: return 'Failed: the connection was lost';
  }
};
function filesSection(v) {
  const f = v.files;
  const agent = v.agentName || 'Your agent';
  const parts = [el('h3', {}, 'Files')];
  const request = f.requests[0];
  if (f.open) {
    if (request) {
      parts.push(el('div', { className: 'ask', role: 'alert' }, el('strong', {}, agent + ' asks you for a file.'), ' Type the full path of the file to send, or:', ' ', fileButton("Don't send", { do: 'decline-request', id: request })));
    }
    const label = el('label', { htmlFor: 'path' }, request ? 'File for ' + agent : 'Send a file to ' + agent);
    parts.push(el('div', { className: 'row' }, label));
    const send = el('button', { className: 'primary', onclick: () => { if (pathInput.value.trim()) file({ do: 'send', path: pathInput.value.trim(), ...(request ? { request } : {}) }); } }, 'Send file');
    parts.push(el('div', { className: 'row' }, pathInput, send));
    if (fileProblem) parts.push(el('p', { className: 'error', role: 'alert' }, fileProblem));
    parts.push(el('p', { className: 'muted' }, 'Files from ' + agent + ' are saved in ' + (f.folder || '(no Downloads folder)') + ', never over a file already there. Up to ' + size(f.maxBytes) + '.'));
  }
  for (const t of f.transfers) {
    const box = el('div', { className: 'file', role: 'group', ariaLabel: (t.direction === 'out' ? 'Sending ' : 'Receiving ') + t.name });
    box.append(el('div', {}, el('strong', {}, t.name), ' · ' + size(t.size)));
    if (t.state === 'moving' || t.state === 'sent' || t.bytes > 0) box.append(el('progress', { max: Math.max(t.size, 1), value: t.size === 0 ? 1 : t.bytes, ariaLabel: t.name + ' progress' }));
    box.append(el('div', { role: 'status' }, stateText(t, agent)));
    const buttons = [];
    if (t.direction === 'in' && t.state === 'offered') buttons.push(fileButton('Decline', { do: 'decline', id: t.id }), fileButton('Save to Downloads', { do: 'accept', id: t.id }, 'primary'));
    else if (['offered', 'moving', 'sent'].includes(t.state)) buttons.push(fileButton('Cancel', { do: 'cancel', id: t.id }));
    if (buttons.length) box.append(el('div', { className: 'row' }, ...buttons));
    parts.push(box);
  }
  return parts.length > 1 ? el('section', { ariaLabel: 'Files' }, ...parts) : null;
}
let last;
function render(v) {
  last = v;
  const typing = document.activeElement === pathInput;
  const parts = [];
  if (v.phase === 'active' || (v.phase !== 'ended' && v.sharing)) {
    parts.push(el('div', { className: 'bar', role: 'status', ariaLabel: 'Session active' }, '● Session active — ' + v.message));
  } else {
    parts.push(el('p', { role: 'status' }, v.message));
  }
  if (v.phase === 'consent') {
    parts.push(el('h2', {}, v.prompt));
    parts.push(el('p', {}, 'The agent sees your screen. If they ask, you can also let them use your mouse and keyboard. You can stop at any time.'));
    parts.push(el('div', { className: 'row' }, button('Deny', 'deny'), button('Allow', 'allow', 'primary')));
  }
  if (v.phase === 'active' && v.control === 'requested') {
    parts.push(el('h2', {}, v.prompt));
    parts.push(el('div', { className: 'row' }, button('Refuse control', 'refuse'), button('Allow control', 'grant', 'primary')));
  }
  if (v.phase === 'active' && v.control === 'granted') {
    parts.push(el('div', { className: 'row' }, button('Take back control', 'take-back', 'primary')));
  }
  if (v.phase === 'active') {
    parts.push(el('div', { className: 'row' }, v.paused ? button('Resume sharing', 'resume', 'primary') : button('Pause sharing', 'pause')));
  }
  if (v.phase === 'denied') {
    parts.push(el('div', { className: 'row' }, button('Allow after all', 'allow', 'primary')));
  }
  if (v.notices.length) {
    parts.push(el('section', { ariaLabel: 'What your agent did' }, el('h3', {}, 'What your agent did'), el('ul', { className: 'log', role: 'log' }, ...v.notices.map((n) => el('li', {}, n)))));
  }
  if (v.phase === 'active') {
    const files = filesSection(v);
    if (files) parts.push(files);
  }
  if (v.phase !== 'ended') parts.push(el('div', { className: 'row' }, button('End session', 'end', 'danger')));
  parts.push(el('p', { className: 'muted' }, v.sessionName ? (v.sessionName + ' · session code ' + v.code) : ''));
  app.replaceChildren(...parts);
  if (typing && pathInput.isConnected) pathInput.focus();
  document.title = (v.phase === 'active' ? '● ' : '') + 'Lifeline QuickSupport';
}
const events = new EventSource('events');
events.onmessage = (e) => render(JSON.parse(e.data));
events.onerror = () => { if (events.readyState === EventSource.CLOSED) app.replaceChildren(el('p', { role: 'status' }, 'QuickSupport has stopped. You can close this page.')); };
</script>
</body></html>`;
