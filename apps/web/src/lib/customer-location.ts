import { useSyncExternalStore } from 'react';

/**
 * Where the customer's pages are, without a router library: they are three
 * addresses (main.tsx matches them) and move only from `/support` and
 * `/qs/{slug}` on to `/j/{token}`. Anything else is the staff app's, which
 * brings react-router in its own chunk.
 */

const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** The current path; re-renders on `navigate` and on the browser's back and forward. */
export const usePathname = () => useSyncExternalStore(subscribe, () => window.location.pathname);

/** Goes to another page of this app in place; `state` rides in the history entry (`history.state`). */
export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}) {
  if (options.replace) window.history.replaceState(options.state ?? null, '', to);
  else window.history.pushState(options.state ?? null, '', to);
  for (const listener of listeners) listener();
}

/** What `navigate` left in the current history entry. */
export const historyState = <T>() => window.history.state as T | null;
