import { afterEach, describe, expect, it } from 'vitest';
import { LocalPage } from './local-page.js';
import type { Action, FileCommand, View } from './view.js';

const view: View = {
  phase: 'consent',
  organization: 'Acme Support',
  recorded: false,
  sessionName: 'Printer offline',
  code: 's12-345-678',
  agentName: 'Alex Agent',
  sharing: false,
  paused: false,
  control: 'off',
  message: 'Alex Agent has joined.',
  prompt: 'Allow Alex Agent from Acme Support to see your screen?',
  files: { open: false, maxBytes: 1024, folder: '/home/cleo/Downloads', transfers: [], requests: [] },
  notices: [],
};

let page: LocalPage | undefined;
afterEach(() => page?.close());

async function open() {
  const actions: Action[] = [];
  const files: FileCommand[] = [];
  page = new LocalPage(
    (a) => actions.push(a),
    async (c) => {
      files.push(c);
      return c.do === 'send' && c.path === '/missing' ? 'There is no file /missing.' : undefined;
    },
  );
  const url = new URL(await page.listen());
  page.show(view);
  return { url, actions, files };
}

const post = (url: URL, body: string, contentType = 'application/json', path = 'action') =>
  fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': contentType }, body });

describe('the local consent page', () => {
  it('listens on loopback only, at a secret address', async () => {
    const { url } = await open();
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toMatch(/^\/[\w-]{24}\/$/);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(new URL('/', url))).status).toBe(404);
    expect((await fetch(new URL('/guess/', url))).status).toBe(404);
  });

  it('hands a button press to the session', async () => {
    const { url, actions } = await open();
    expect((await post(url, JSON.stringify({ action: 'allow' }))).status).toBe(204);
    expect(actions).toEqual(['allow']);
  });

  it('hands a file answer to the session, and says why one could not be done', async () => {
    const { url, files } = await open();
    const accept = { do: 'accept', id: 't1' };
    expect((await post(url, JSON.stringify(accept), undefined, 'file')).status).toBe(204);
    const missing = await post(url, JSON.stringify({ do: 'send', path: '/missing' }), undefined, 'file');
    expect(missing.status).toBe(422);
    expect(await missing.json()).toEqual({ message: 'There is no file /missing.' });
    expect((await post(url, JSON.stringify({ do: 'format-disk' }), undefined, 'file')).status).toBe(400);
    expect(files).toEqual([accept, { do: 'send', path: '/missing' }]);
  });

  it('refuses what a foreign page could send: a form post, an unknown action, another Host', async () => {
    const { url, actions } = await open();
    expect((await post(url, 'action=allow', 'application/x-www-form-urlencoded')).status).toBe(404);
    expect((await post(url, JSON.stringify({ action: 'format-disk' }))).status).toBe(400);
    expect((await post(url, 'not json')).status).toBe(400);
    // DNS rebinding: a name that resolves to 127.0.0.1 still carries its own Host header.
    const rebound = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          new URL('action', url),
          {
            method: 'POST',
            headers: { host: `evil.example:${url.port}`, 'content-type': 'application/json' },
          },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on('error', reject);
        req.end(JSON.stringify({ action: 'allow' }));
      }, reject);
    });
    expect(rebound).toBe(404);
    expect(actions).toEqual([]);
  });

  it('streams the current view to the page', async () => {
    const { url } = await open();
    const res = await fetch(new URL('events', url));
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('"agentName":"Alex Agent"');
    await reader?.cancel();
  });
});
