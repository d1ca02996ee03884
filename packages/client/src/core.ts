import type { Endpoint, Problem } from '@lifeline/contracts';
import { pathOf } from '@lifeline/contracts/endpoint';

// What both clients share, without zod: the full client (`./index.ts`) and the customer pages' (`./public.ts`).

/** A non-2xx answer, with the RFC 9457 problem the server sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly headers: Headers,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }
  get code() {
    return this.problem.code;
  }
}

export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

function toSearch(query: Query | undefined) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The address of a call: the endpoint's path with its parameters filled in, and the query. */
export const urlOf = (
  baseUrl: string,
  endpoint: Pick<Endpoint, 'path'>,
  params?: Record<string, string>,
  query?: Query,
) => `${baseUrl}${pathOf(endpoint, params)}${toSearch(query)}`;

/** The error for a failed answer: the problem it carries, as `readProblem` accepts it, else one made from its status. */
export async function apiError(
  res: Response,
  readProblem: (body: unknown) => Problem | undefined,
): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => undefined);
  const problem = readProblem(body) ?? {
    type: 'about:blank',
    title: res.statusText,
    status: res.status,
    code: 'http_error',
  };
  return new ApiError(res.status, problem, res.headers);
}
