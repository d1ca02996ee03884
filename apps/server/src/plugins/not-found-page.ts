import type { FastifyRequest } from 'fastify';
import { escapeHtml } from '../lib/html.js';

/** Addresses people type or remember that are not pages themselves, and the page they mean. */
const ALIASES: Record<string, string> = {
  '/': '/',
  '/support': '/support',
  '/login': '/login',
  '/cases': '/',
  '/queue': '/',
  '/admin': '/admin/users',
};

/** A browser opening an address (not a script, nor the API or the sockets): it gets pages, not JSON. */
export function isBrowserNavigation(request: FastifyRequest) {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '';
  if (/^\/(api|ws|oauth)(\/|$)/i.test(path)) return false;
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}

/** `/Support/`, `/cases`, `/admin` → the page meant (with the query kept), or undefined. */
export function pageMeant(url: string): string | undefined {
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  const normal = `/${path.toLowerCase().replace(/^\/+|\/+$/g, '')}`;
  const target = ALIASES[normal];
  if (!target || target === path) return undefined;
  return query ? `${target}?${query}` : target;
}

function readable(path: string) {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export const NOT_FOUND_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** The answer to a mistyped address: what happened and the ways on, in the look of the customer pages. */
export function notFoundPage(path: string) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found · Lifeline</title>
<style>
  body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; background: #f8f9fa; color: #212529; }
  main { max-width: 28rem; margin: 10vh auto; background: #fff; border: 1px solid #dee2e6; border-radius: 8px; padding: 2rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
  p { line-height: 1.5; }
  code { overflow-wrap: anywhere; }
  a.button { display: inline-block; margin: .5rem .5rem 0 0; padding: .55rem 1rem; border-radius: 4px; text-decoration: none; font-weight: 600; }
  a.primary { background: #228be6; color: #fff; }
  a.secondary { border: 1px solid #ced4da; color: #212529; }
  @media (max-width: 30rem) { main { margin: 0; border: 0; border-radius: 0; min-height: 100vh; box-sizing: border-box; } }
</style>
</head>
<body>
<main>
  <h1>This page does not exist</h1>
  <p>There is nothing at <code>${escapeHtml(readable(path))}</code>. If you were given a session code, enter it on the support page; a support link works only exactly as it was sent.</p>
  <p>
    <a class="button primary" href="/support">Enter a session code</a>
    <a class="button secondary" href="/">Agents: service queue</a>
  </p>
</main>
</body>
</html>`;
}
