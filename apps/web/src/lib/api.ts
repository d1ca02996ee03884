import { createClient } from '@lifeline/client';

/** The signed-in browser's API client: the session cookie travels by itself, the CSRF token is kept here. */
export const api = createClient({ baseUrl: window.location.origin });

export { isApiError, problemText } from './problems.js';
