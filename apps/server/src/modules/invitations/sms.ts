import type { Config } from '../../config/config.js';
import {
  type AttemptResult,
  clip,
  type FetchFn,
  isTransientStatus,
  requestWithTimeout,
} from '../../lib/delivery.js';

/** An SMS provider: sends one text to one E.164 number. */
export interface SmsSender {
  readonly name: 'twilio' | 'http';
  send(to: string, body: string): Promise<AttemptResult>;
}

type Json = Record<string, unknown>;
const parseJson = (text: string): Json | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
};

function judge(response: Response, reason: string, providerId: unknown): AttemptResult {
  if (response.ok) return { ok: true, providerId: typeof providerId === 'string' ? providerId : undefined };
  return {
    ok: false,
    permanent: !isTransientStatus(response.status),
    reason: clip(reason),
    statusCode: response.status,
  };
}

/**
 * Twilio's Messages API (and compatible services): a form-encoded POST with
 * basic auth; errors come back as `{ code, message, more_info, status }`.
 */
export function twilioSender(
  c: Extract<NonNullable<Config['sms']>, { provider: 'twilio' }>,
  fetchFn: FetchFn,
  timeoutMs: number,
): SmsSender {
  const url = `${c.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;
  // A Messaging Service (its SID starts with MG) picks the sending number itself.
  const sender: Record<string, string> = /^MG[0-9a-f]{32}$/i.test(c.from)
    ? { MessagingServiceSid: c.from }
    : { From: c.from };
  return {
    name: 'twilio',
    async send(to, body) {
      const result = await requestWithTimeout(
        fetchFn,
        url,
        {
          method: 'POST',
          headers: {
            authorization,
            accept: 'application/json',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ To: to, ...sender, Body: body }).toString(),
        },
        timeoutMs,
      );
      if ('failure' in result) return result.failure;
      const json = parseJson(result.text);
      const reason =
        json && typeof json.message === 'string'
          ? `Twilio error ${String(json.code ?? result.response.status)}: ${json.message}`
          : `Twilio answered HTTP ${result.response.status}`;
      return judge(result.response, reason, json?.sid);
    },
  };
}

/**
 * Any SMS gateway reachable by a JSON POST `{ to, body }` with an optional
 * bearer token; a JSON answer's `id` is kept, its `message` or `error` is the reason.
 */
export function httpSender(
  c: Extract<NonNullable<Config['sms']>, { provider: 'http' }>,
  fetchFn: FetchFn,
  timeoutMs: number,
): SmsSender {
  return {
    name: 'http',
    async send(to, body) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'content-type': 'application/json',
      };
      if (c.token) headers.authorization = `Bearer ${c.token}`;
      const result = await requestWithTimeout(
        fetchFn,
        c.url,
        { method: 'POST', headers, body: JSON.stringify({ to, body }) },
        timeoutMs,
      );
      if ('failure' in result) return result.failure;
      const json = parseJson(result.text);
      const said = json?.message ?? json?.error;
      const reason =
        typeof said === 'string'
          ? `SMS gateway HTTP ${result.response.status}: ${said}`
          : `SMS gateway answered HTTP ${result.response.status}`;
      return judge(result.response, reason, json?.id);
    },
  };
}

export function smsSenderFor(config: Config, fetchFn: FetchFn): SmsSender | undefined {
  const sms = config.sms;
  if (!sms) return undefined;
  return sms.provider === 'twilio'
    ? twilioSender(sms, fetchFn, config.delivery.timeoutMs)
    : httpSender(sms, fetchFn, config.delivery.timeoutMs);
}
