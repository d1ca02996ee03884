import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { JOIN_ANSWER_ID, type JoinInfo } from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import { windowsHelperDownload } from './quicksupport-windows.js';

/** The built pages of apps/web (`npm run build`, which `npm start` runs first). */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** The desktop helper as one file (`npm run build -w @lifeline/helper`), offered on the customer's join page. */
export const HELPER_BUNDLE = fileURLToPath(
  new URL('../../../helper/dist/lifeline-quicksupport.mjs', import.meta.url),
);

/** Paths the single-page app answers itself; everything else under / is a file or a 404. */
export const PAGE_ROUTES = [
  '/',
  '/cases/:code',
  '/admin/:section',
  '/j/:token',
  '/support',
  '/session/:code',
  '/login',
  '/open',
  '/qs/:slug',
  // CRM connector pages (framed by the CRM) and the OAuth sign-in tab.
  '/connector/case',
  '/connector/desktop',
  '/connector/callback',
  '/oauth/interaction/:uid',
];

/**
 * The customer's pages: customer.html, a build of its own on Preact (apps/web/vite.customer.config.ts,
 * docs/adr/0004-preact-for-customer-pages.md). index.html renders them as well, so a build without
 * customer.html still serves them.
 */
const CUSTOMER_ROUTES = new Set(['/j/:token', '/support', '/qs/:slug']);

/** Pages a CRM frames: only the origins registered for the connector app named by `client_id` may. */
const FRAMEABLE_PAGES = new Set(['/connector/case', '/connector/desktop']);

export interface WebPagesOptions {
  /** The server's public address (no trailing slash): the Windows download carries it. */
  publicUrl?: string;
  /** Origins allowed to frame the connector pages of a client id; empty for an unknown one. */
  frameAncestors?: (clientId: string | undefined) => Promise<string[]>;
  /** `GET /api/v1/join/{token}`'s answer, undefined where that answers an error (which the page then asks for). */
  joinAnswer?: (token: string) => Promise<JoinInfo | undefined>;
}

/**
 * customer.html with the invitation's join answer in it: the page shows the choice to join on its first
 * render, without asking for it first. `<` is escaped, so no text of the case can close the element.
 */
function withJoinAnswer(html: string, answer: JoinInfo) {
  const json = JSON.stringify(answer).replace(/</g, '\\u003c');
  return html.replace(
    '</head>',
    `<script type="application/json" id="${JOIN_ANSWER_ID}">${json}</script></head>`,
  );
}

/**
 * The pages' Content-Security-Policy, but for `frame-ancestors`: scripts only from
 * our own built files, no plugins, no foreign base or form targets. Styles may
 * be inline (Mantine sets its CSS variables in a style element and style props
 * as attributes); images may be data/blob URLs (a frozen frame, a logo preview).
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Every page may only be framed by itself: none but the connector pages, by their app's origins. */
async function frameAncestorsFor(url: string, query: unknown, options: WebPagesOptions): Promise<string> {
  if (!FRAMEABLE_PAGES.has(url)) return "frame-ancestors 'none'";
  const clientId = (query as { client_id?: unknown }).client_id;
  const origins =
    typeof clientId === 'string' && options.frameAncestors ? await options.frameAncestors(clientId) : [];
  return `frame-ancestors ${origins.length > 0 ? origins.join(' ') : "'none'"}`;
}

/** Headers of every page: the policy above, no MIME sniffing, and no Referer (a `/j/{token}` URL is a secret). */
const pageHeaders = (frameAncestors: string) => ({
  'content-security-policy': `${PAGE_CSP}; ${frameAncestors}`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
});

export async function webPages(
  app: FastifyInstance,
  options: WebPagesOptions = {},
  dist = WEB_DIST,
  helperBundle = HELPER_BUNDLE,
) {
  if (options.publicUrl) await windowsHelperDownload(app, options.publicUrl);
  app.get('/downloads/lifeline-quicksupport.mjs', { schema: { hide: true } }, async (_req, reply) => {
    const body = await fs.promises.readFile(helperBundle).catch(() => null);
    if (!body) {
      return reply
        .status(404)
        .type('text/plain')
        .send('QuickSupport is not built on this server: run `npm run build` (npm start does it for you).');
    }
    return reply
      .header('cache-control', 'no-cache')
      .header('content-disposition', 'attachment; filename="lifeline-quicksupport.mjs"')
      .type('text/javascript; charset=utf-8')
      .send(body);
  });
  const built = fs.existsSync(`${dist}/index.html`);
  const customerHtml = fs.existsSync(`${dist}/customer.html`) ? 'customer.html' : 'index.html';
  // Read once: a build replaces the files, and the server starts again with it (npm start builds first).
  const customerPage = built ? fs.readFileSync(`${dist}/${customerHtml}`, 'utf8') : undefined;
  if (built) {
    await app.register(fastifyStatic, {
      root: dist,
      index: false,
      // The build writes .br and .gz copies (apps/web/precompress.ts); each browser gets what it accepts.
      preCompressed: true,
      // Vite puts a content hash in every asset name, so they never change under one URL.
      setHeaders: (res, filePath) => {
        if (filePath.includes(`${dist}/assets/`))
          res.header('cache-control', 'public, max-age=31536000, immutable');
        // A new service worker or manifest must be seen at once, or a stale one keeps serving an old shell.
        else res.header('cache-control', 'no-cache');
        // index.html asked for by name is the console as much as `/` is; a page route has set its own.
        if (filePath.endsWith('.html') && res.getHeader('content-security-policy') === undefined)
          for (const [name, value] of Object.entries(pageHeaders("frame-ancestors 'none'")))
            res.header(name, value);
      },
    });
  }
  for (const url of PAGE_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (req, reply) => {
      // Set before anything else, so even the "not built" answer cannot be framed where it must not be.
      reply.headers(pageHeaders(await frameAncestorsFor(url, req.query, options)));
      if (!built) {
        return reply
          .status(503)
          .type('text/plain')
          .send('The web pages are not built yet: run `npm run build` (npm start does it for you).');
      }
      const token = url === '/j/:token' ? (req.params as { token: string }).token : undefined;
      const answer = token && options.joinAnswer ? await options.joinAnswer(token) : undefined;
      if (answer && customerPage) {
        // The answer is the case's as of now: stored nowhere.
        return reply
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(withJoinAnswer(customerPage, answer));
      }
      // An error's answer (or no answer here): the page's first call, fetched alongside its script
      // rather than after it, one round trip less on a phone.
      if (token)
        reply.header(
          'link',
          `</api/v1/join/${encodeURIComponent(token)}>; rel=preload; as=fetch; crossorigin`,
        );
      return reply
        .header('cache-control', 'no-cache')
        .sendFile(CUSTOMER_ROUTES.has(url) ? customerHtml : 'index.html');
    });
  }
}
