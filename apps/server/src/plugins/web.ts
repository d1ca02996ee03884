import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

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
];

export async function webPages(app: FastifyInstance, dist = WEB_DIST, helperBundle = HELPER_BUNDLE) {
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
  if (built) {
    await app.register(fastifyStatic, {
      root: dist,
      index: false,
      // Vite puts a content hash in every asset name, so they never change under one URL.
      setHeaders: (res, filePath) => {
        if (filePath.includes(`${dist}/assets/`))
          res.header('cache-control', 'public, max-age=31536000, immutable');
        // A new service worker or manifest must be seen at once, or a stale one keeps serving an old shell.
        else res.header('cache-control', 'no-cache');
      },
    });
  }
  for (const url of PAGE_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (_req, reply) => {
      if (!built) {
        return reply
          .status(503)
          .type('text/plain')
          .send('The web pages are not built yet: run `npm run build` (npm start does it for you).');
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  }
}
