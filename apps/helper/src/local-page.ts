import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Action, actions, type ConsentUi, type View } from './view.js';

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

  constructor(private readonly onAction: (action: Action) => void) {
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
      path === 'action' &&
      req.headers['content-type'] === 'application/json'
    ) {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
        if (body.length > 1000) req.destroy();
      });
      req.on('end', () => {
        let action: unknown;
        try {
          action = (JSON.parse(body) as { action?: unknown }).action;
        } catch {}
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
function render(v) {
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
  if (v.phase !== 'ended') parts.push(el('div', { className: 'row' }, button('End session', 'end', 'danger')));
  parts.push(el('p', { className: 'muted' }, v.sessionName ? (v.sessionName + ' · session code ' + v.code) : ''));
  app.replaceChildren(...parts);
  document.title = (v.phase === 'active' ? '● ' : '') + 'Lifeline QuickSupport';
}
const events = new EventSource('events');
events.onmessage = (e) => render(JSON.parse(e.data));
events.onerror = () => { if (events.readyState === EventSource.CLOSED) app.replaceChildren(el('p', { role: 'status' }, 'QuickSupport has stopped. You can close this page.')); };
</script>
</body></html>`;
