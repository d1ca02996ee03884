import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHttpReceiver } from '../../../test/receivers.js';
import { loadConfig } from '../../config/config.js';
import { httpSender, smsSenderFor, twilioSender } from './sms.js';

let gateway: Awaited<ReturnType<typeof startHttpReceiver>>;
beforeAll(async () => {
  gateway = await startHttpReceiver({ status: 200, body: { id: 'msg-1' } });
});
afterAll(() => gateway.close());
beforeEach(() => gateway.reset());

describe('the generic HTTP SMS adapter', () => {
  // Generous, so that a busy machine never turns an answer into a timeout; only `hang` times out.
  const sender = (timeoutMs = 10_000) =>
    httpSender({ provider: 'http', url: `${gateway.url}/send`, token: 's3cret' }, fetch, timeoutMs);

  it('posts { to, body } as JSON with the bearer token and keeps the gateway’s id', async () => {
    expect(await sender().send('+49301234567', 'Hello')).toEqual({ ok: true, providerId: 'msg-1' });
    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/send');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ to: '+49301234567', body: 'Hello' });
  });

  it('calls 5xx, 429 and timeouts transient, other 4xx permanent with the gateway’s message', async () => {
    gateway.answer({ status: 502 }, { status: 429, body: { error: 'slow down' } }, 'hang', {
      status: 422,
      body: { message: 'number blocked' },
    });
    const s = sender();
    expect(await s.send('+1', 'x')).toMatchObject({ ok: false, permanent: false, statusCode: 502 });
    expect(await s.send('+1', 'x')).toEqual({
      ok: false,
      permanent: false,
      statusCode: 429,
      reason: 'SMS gateway HTTP 429: slow down',
    });
    expect(await sender(300).send('+1', 'x')).toEqual({
      ok: false,
      permanent: false,
      reason: 'no answer within 0.3 s',
    });
    expect(await s.send('+1', 'x')).toEqual({
      ok: false,
      permanent: true,
      statusCode: 422,
      reason: 'SMS gateway HTTP 422: number blocked',
    });
  });

  it('calls an unreachable gateway transient', async () => {
    const down = httpSender(
      { provider: 'http', url: 'http://127.0.0.1:1/send', token: undefined },
      fetch,
      10_000,
    );
    expect(await down.send('+1', 'x')).toMatchObject({
      ok: false,
      permanent: false,
      reason: /network error/,
    });
  });
});

describe('the Twilio adapter', () => {
  it('sends through a Messaging Service when TWILIO_FROM is its SID', async () => {
    const service = `MG${'0'.repeat(31)}1`;
    const sender = twilioSender(
      { provider: 'twilio', baseUrl: gateway.url, accountSid: 'AC1', authToken: 't', from: service },
      fetch,
      10_000,
    );
    gateway.answer({ status: 201, body: { sid: 'SM1', status: 'accepted' } });
    expect(await sender.send('+49301234567', 'Hello')).toEqual({ ok: true, providerId: 'SM1' });
    const form = new URLSearchParams(gateway.requests[0]?.body);
    expect(Object.fromEntries(form)).toEqual({
      To: '+49301234567',
      MessagingServiceSid: service,
      Body: 'Hello',
    });
  });
});

describe('choosing the SMS provider from the configuration', () => {
  it('uses none without SMS_PROVIDER, and the HTTP gateway with SMS_PROVIDER=http', async () => {
    expect(smsSenderFor(loadConfig({}), fetch)).toBeUndefined();
    const sender = smsSenderFor(
      loadConfig({ SMS_PROVIDER: 'http', SMS_HTTP_URL: `${gateway.url}/sms`, SMS_HTTP_TOKEN: 'tok' }),
      fetch,
    );
    expect(sender?.name).toBe('http');
    expect(await sender?.send('+49301234567', 'Hi')).toMatchObject({ ok: true });
    expect(gateway.requests[0]).toMatchObject({ url: '/sms', headers: { authorization: 'Bearer tok' } });
  });
});
