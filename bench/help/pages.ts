import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { BARE_PAGE } from '../connect/pages.js';

// Page-side code is plain JavaScript: the benchmark's own type-check has no DOM.

/**
 * The bare customer's link: one small HTML page with its script inline, a
 * button, and a WebSocket whose first message shows the waiting room. What
 * any web page with a live socket needs, and nothing else.
 */
const BARE_JOIN = `<!doctype html>
<html><head><meta charset="utf-8"><title>Bare join</title></head>
<body><main id="app"><h1>Printer offline</h1><button id="join">Join in browser</button></main>
<script>
document.getElementById('join').addEventListener('click', () => {
  const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws?role=customer');
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    const h = document.createElement('h1');
    h.textContent = m.type === 'joined' ? 'Allow Agent to see your screen?' : 'Waiting for your support agent…';
    document.getElementById('app').replaceChildren(h);
  };
});
</script></body></html>`;

/** The bare agent's queue: a link that opens the bare agent page in a new tab, which joins at once. */
const BARE_QUEUE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Bare queue</title></head>
<body><a href="/agent" target="_blank" rel="noopener">Connect</a></body></html>`;
const BARE_AGENT = `<!doctype html>
<html><head><meta charset="utf-8"><title>Bare agent</title></head>
<body><p>Agent</p><script>new WebSocket(location.origin.replace('http', 'ws') + '/ws?role=agent');</script></body></html>`;

/**
 * The baselines, served on 127.0.0.1: the join page and the queue/agent
 * pages above (a relay tells the waiting customer when an agent connects),
 * and bench/connect's two RTCPeerConnections in one page.
 */
export async function serveBarePages(): Promise<{ url: string; close(): Promise<void> }> {
  const pages: Record<string, string> = {
    '/join': BARE_JOIN,
    '/queue': BARE_QUEUE,
    '/agent': BARE_AGENT,
    '/bare': BARE_PAGE,
  };
  const server = http.createServer((req, res) => {
    const page = pages[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(page ? 200 : 404, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(page ?? '');
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  const customers = new Set<import('ws').WebSocket>();
  wss.on('connection', (ws, req) => {
    if (req.url?.includes('role=customer')) {
      customers.add(ws);
      ws.on('close', () => customers.delete(ws));
      ws.send(JSON.stringify({ type: 'waiting' }));
    } else {
      for (const c of customers) c.send(JSON.stringify({ type: 'joined' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
