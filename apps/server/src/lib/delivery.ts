/** What one attempt to hand a message to a provider or a webhook receiver came to. */
export type AttemptResult =
  | { ok: true; providerId?: string | undefined; statusCode?: number | undefined }
  | { ok: false; permanent: boolean; reason: string; statusCode?: number | undefined };

const DAY_MS = 86_400_000;

/** Exponential backoff: the wait after attempt n is base · 2^(n-1), never more than a day. */
const retryDelay = (attempt: number, baseMs: number) =>
  Math.min(baseMs * 2 ** Math.max(0, attempt - 1), DAY_MS);

/**
 * When to try again after `attempts` attempts came to `result`, or undefined when the outcome is final: a
 * success, a permanent refusal, or the last attempt allowed.
 */
export function retryAt(
  result: AttemptResult,
  attempts: number,
  policy: { maxAttempts: number; backoffMs: number },
  now: number,
): number | undefined {
  if (result.ok || result.permanent || attempts >= policy.maxAttempts) return undefined;
  return now + retryDelay(attempts, policy.backoffMs);
}

/** Answers worth asking again: the receiver may well answer differently later. */
export const isTransientStatus = (status: number) => status >= 500 || status === 429 || status === 408;

export type FetchFn = typeof fetch;

/**
 * One HTTP request with a deadline. Network errors and timeouts become a
 * transient failure with a readable reason; an answer is returned with its
 * body as text, for the caller to judge.
 */
export async function requestWithTimeout(
  fetchFn: FetchFn,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ response: Response; text: string } | { failure: AttemptResult & { ok: false } }> {
  try {
    const response = await fetchFn(url, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    return { response, text: await response.text() };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return { failure: { ok: false, permanent: false, reason: `no answer within ${timeoutMs / 1000} s` } };
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return {
      failure: {
        ok: false,
        permanent: false,
        reason: `network error: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      },
    };
  }
}

/** A reason short enough to store and show, from whatever a provider answered. */
export const clip = (text: string, max = 500) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
