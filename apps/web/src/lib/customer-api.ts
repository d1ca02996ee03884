import { createPublicClient } from '@lifeline/client/public';

/**
 * The customer pages' API client: the public calls only, without zod, so the
 * bundle these pages load first stays small. Staff pages use `./api.ts`.
 */
export const customerApi = createPublicClient({ baseUrl: window.location.origin });

export { isApiError, problemText } from './problems.js';
