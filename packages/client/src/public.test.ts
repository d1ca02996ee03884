import { describe, expect, it } from 'vitest';
import { ApiError, createPublicClient, readProblem } from './public.js';

/** A fetch that records each request and answers with `answer`. */
function fakeFetch(answer: () => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const doFetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  }) as typeof fetch;
  return { calls, doFetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the customer pages’ public client', () => {
  it('calls the contract’s paths, each parameter one encoded segment, and answers the JSON', async () => {
    const { calls, doFetch } = fakeFetch(() => json(200, { code: '12345678', token: 't' }));
    const client = createPublicClient({ baseUrl: 'http://lifeline.test/', fetch: doFetch });

    expect(await client.join.byToken('a/b')).toEqual({ code: '12345678', token: 't' });
    await client.join.byCode('s12-345-678');
    await client.quickSupport.page('acme');
    await client.quickSupport.request('acme', { name: 'Ann', sos: true });

    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET http://lifeline.test/api/v1/join/a%2Fb',
      'POST http://lifeline.test/api/v1/join/by-code',
      'GET http://lifeline.test/api/v1/public/modules/acme',
      'POST http://lifeline.test/api/v1/public/modules/acme/requests',
    ]);
    expect(calls[0]?.init.body).toBeNull();
    expect(calls[1]?.init.body).toBe(JSON.stringify({ code: 's12-345-678' }));
    expect(calls[1]?.init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(calls[3]?.init.body).toBe(JSON.stringify({ name: 'Ann', sos: true }));
  });

  it('throws the problem the server sent as an ApiError, with its headers', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      code: 'rate_limited',
      errors: [{ path: 'code', message: 'is wrong' }, { path: 1 }],
    };
    const { doFetch } = fakeFetch(
      () => new Response(JSON.stringify(problem), { status: 429, headers: { 'retry-after': '30' } }),
    );
    const client = createPublicClient({ baseUrl: 'http://lifeline.test', fetch: doFetch });

    const err = await client.join.byCode('1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.status).toBe(429);
    expect(apiError.code).toBe('rate_limited');
    expect(apiError.headers.get('retry-after')).toBe('30');
    // The malformed entry is dropped, the well-formed one kept.
    expect(apiError.problem.errors).toEqual([{ path: 'code', message: 'is wrong' }]);
  });

  it('makes a plain http_error of an answer that is not a problem', async () => {
    const { doFetch } = fakeFetch(
      () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const client = createPublicClient({ baseUrl: 'http://lifeline.test', fetch: doFetch });

    const err = (await client.quickSupport.page('x').catch((e: unknown) => e)) as ApiError;
    expect(err.problem).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      code: 'http_error',
    });
  });

  it('accepts a problem only with its required fields', () => {
    expect(readProblem(null)).toBeUndefined();
    expect(readProblem({ title: 'x', status: 400, code: 'y' })).toBeUndefined();
    expect(readProblem({ type: 't', title: 'x', status: '400', code: 'y' })).toBeUndefined();
    expect(readProblem({ type: 't', title: 'x', status: 400, code: 'y', detail: 'd', extra: 1 })).toEqual({
      type: 't',
      title: 'x',
      status: 400,
      code: 'y',
      detail: 'd',
    });
  });
});
