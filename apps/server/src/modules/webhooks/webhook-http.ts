import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { isInternalAddress, isInternalHost } from '../../lib/addresses.js';
import { type AttemptResult, isTransientStatus } from '../../lib/delivery.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address of a host name (DNS, /etc/hosts); injected so tests can play any DNS answer. */
export type Resolve = (host: string) => Promise<ResolvedAddress[]>;
export const systemResolve: Resolve = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

export interface WebhookTarget {
  /** Whether loopback, private and link-local targets are allowed (LIFELINE_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  resolve: Resolve;
  timeoutMs: number;
}

const bare = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** Why a webhook URL may not be registered, judged without DNS; undefined if it may. */
export function refusedWebhookUrl(url: string, allowPrivate: boolean): string | undefined {
  if (!allowPrivate && isInternalHost(new URL(url).hostname))
    return 'must not point at a loopback, private, link-local or other internal address';
  return undefined;
}

const failure = (reason: string, permanent: boolean): AttemptResult & { ok: false } => ({
  ok: false,
  permanent,
  reason,
});

/**
 * POSTs one delivery. The host name is resolved here, every address it has is
 * checked, and the connection goes to the checked address (the socket's
 * look-up is pinned to it), so DNS answering differently a moment later
 * cannot turn the request inward. Redirects are never followed. Only the
 * status is kept: the receiver's body may be an internal answer, and it is not read.
 */
export async function postWebhook(
  target: WebhookTarget,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<AttemptResult> {
  const parsed = new URL(url);
  const host = bare(parsed.hostname);
  const deadline = AbortSignal.timeout(target.timeoutMs);
  const noAnswer = failure(`no answer within ${target.timeoutMs / 1000} s`, false);

  let addresses: ResolvedAddress[];
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await Promise.race([
        target.resolve(host),
        new Promise<never>((_, reject) =>
          deadline.addEventListener('abort', () => reject(deadline.reason), { once: true }),
        ),
      ]);
    } catch (err) {
      if (deadline.aborted) return noAnswer;
      return failure(
        `could not resolve ${host}: ${(err as { code?: string }).code ?? (err as Error).message}`,
        false,
      );
    }
  }
  if (!target.allowPrivate) {
    const inward = isInternalHost(parsed.hostname)
      ? host
      : addresses.find((a) => isInternalAddress(a.address))?.address;
    if (inward !== undefined)
      return failure(
        `refused: ${host === inward ? host : `${host} resolves to ${inward}`}, an internal address (LIFELINE_WEBHOOK_ALLOW_PRIVATE is off)`,
        true,
      );
  }
  const chosen = addresses[0];
  if (!chosen) return failure(`could not resolve ${host}: no address`, false);
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: chosen.address, family: chosen.family }]);
    else callback(null, chosen.address, chosen.family);
  };

  return new Promise<AttemptResult>((resolve) => {
    const request = (parsed.protocol === 'https:' ? https : http).request(parsed, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: pinned,
      agent: false,
      signal: deadline,
    });
    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // The answer's body is not ours to keep or show; the status says all we record.
      res.destroy();
      if (status >= 200 && status < 300) return resolve({ ok: true, statusCode: status });
      if (status >= 300 && status < 400)
        return resolve({
          ok: false,
          permanent: true,
          statusCode: status,
          reason: `HTTP ${status} (redirects are not followed)`,
        });
      resolve({
        ok: false,
        permanent: !isTransientStatus(status),
        statusCode: status,
        reason: `HTTP ${status}`,
      });
    });
    request.on('error', (err: Error & { code?: string }) => {
      if (deadline.aborted) return resolve(noAnswer);
      resolve(failure(`network error: ${err.code ?? err.message}`, false));
    });
    request.end(body);
  });
}
