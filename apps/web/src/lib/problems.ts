import { ApiError } from '@lifeline/client/public';

// Without zod: the customer pages use these too (lib/customer-api.ts).

export const isApiError = (err: unknown, status?: number): err is ApiError =>
  err instanceof ApiError && (status === undefined || err.status === status);

export function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.problem.errors?.map((e) => `${e.path} ${e.message}`).join('; ');
    return fields || err.problem.detail || err.problem.title;
  }
  return 'Lifeline cannot be reached. Check your connection and try again.';
}
