/** The one error type the service layer throws; the error handler renders it as RFC 9457 problem+json. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: { path: string; message: string }[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (code: string, detail: string, errors?: { path: string; message: string }[]) =>
  new AppError(400, code, 'Bad request', detail, errors ? { errors } : {});
export const invalidField = (path: string, message: string) =>
  new AppError(400, 'validation_failed', 'Validation failed', `${path} ${message}`, {
    errors: [{ path, message }],
  });
export const unauthenticated = (detail = 'Sign in or send a bearer token.') =>
  new AppError(401, 'unauthenticated', 'Unauthenticated', detail);
export const forbidden = (code: string, detail: string) => new AppError(403, code, 'Forbidden', detail);
export const notFound = (what: string) =>
  new AppError(404, 'not_found', 'Not found', `${what} was not found.`);
export const conflict = (code: string, detail: string) => new AppError(409, code, 'Conflict', detail);
export const gone = (detail = 'This support session has ended.') =>
  new AppError(410, 'session_ended', 'Session ended', detail);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, 'rate_limited', 'Too many requests', `Try again in ${retryAfterSeconds} seconds.`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
