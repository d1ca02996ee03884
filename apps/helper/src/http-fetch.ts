import http from 'node:http';
import https from 'node:https';

/**
 * The little of `fetch` the helper uses (method, headers, a text body), on
 * node:http. Under Wine 8 Node's own fetch fails to connect ("connect
 * UNKNOWN") where node:http, which the WebSocket also uses, works; the
 * Windows program takes this one so it behaves the same there as on Windows.
 */
export const httpFetch: typeof fetch = (input, init = {}) =>
  new Promise((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init.headers);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers),
        signal: init.signal ?? undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
              responseHeaders.append(name, v);
          }
          const status = res.statusCode ?? 500;
          const noBody = status === 204 || status === 304;
          resolve(
            new Response(noBody ? null : Buffer.concat(chunks), {
              status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        });
      },
    );
    request.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
    request.end(body);
  });
