import { createClient, type LifelineClient } from '@lifeline/client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  authorizeUrl,
  exchangeCode,
  loadTokens,
  newPendingLogin,
  OAUTH_MESSAGE,
  type PendingLogin,
  refreshTokens,
  revoke,
  saveTokens,
  type Tokens,
} from './oauth.js';

interface CallbackMessage {
  type: typeof OAUTH_MESSAGE;
  state: string | null;
  code: string | null;
  error: string | null;
  errorDescription: string | null;
}
const isCallbackMessage = (data: unknown): data is CallbackMessage =>
  typeof data === 'object' && data !== null && (data as { type?: unknown }).type === OAUTH_MESSAGE;

export type AuthState = 'signed-out' | 'waiting' | 'signed-in';

/**
 * The connector frame's sign-in: "Login" opens the authorisation (code +
 * PKCE) in a new tab, which posts the code back; the frame exchanges it and
 * sends the access token as a bearer token, refreshing it when the API
 * answers 401.
 */
export function useConnectorAuth(clientId: string) {
  const tokens = useRef<Tokens | null>(loadTokens(clientId));
  const [state, setState] = useState<AuthState>(tokens.current ? 'signed-in' : 'signed-out');
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<PendingLogin | null>(null);
  const popup = useRef<Window | null>(null);
  const refreshing = useRef<Promise<boolean> | null>(null);

  const setTokens = useCallback(
    (next: Tokens | null) => {
      tokens.current = next;
      saveTokens(clientId, next);
      setState(next ? 'signed-in' : 'signed-out');
    },
    [clientId],
  );

  // The verifier and challenge are ready before "Login" is pressed: the tab must open in the click itself.
  const prepare = useCallback(() => {
    void newPendingLogin().then((p) => {
      pending.current = p;
    });
  }, []);
  useEffect(prepare, [prepare]);

  useEffect(() => {
    const onMessage = async (event: MessageEvent) => {
      // Only Lifeline's own callback page, in the tab this frame opened, answering this frame's state.
      if (event.origin !== window.location.origin || !isCallbackMessage(event.data)) return;
      if (popup.current && event.source !== popup.current) return;
      const p = pending.current;
      if (!p || event.data.state !== p.state) return;
      pending.current = null;
      popup.current = null;
      prepare();
      if (event.data.error || !event.data.code) {
        setError(
          event.data.error === 'access_denied'
            ? 'Access was denied: Lifeline was not allowed to act for you.'
            : (event.data.errorDescription ?? event.data.error ?? 'The sign-in failed.'),
        );
        setState('signed-out');
        return;
      }
      try {
        setTokens(await exchangeCode(clientId, event.data.code, p.verifier));
        setError(null);
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        setState('signed-out');
      }
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [clientId, prepare, setTokens]);

  const login = useCallback(() => {
    const p = pending.current;
    if (!p) return;
    setError(null);
    popup.current = window.open(authorizeUrl(clientId, p), '_blank');
    if (!popup.current) {
      setError('The browser blocked the sign-in tab. Allow pop-ups for this page and press "Login" again.');
      return;
    }
    setState('waiting');
  }, [clientId]);

  const logout = useCallback(async () => {
    const current = tokens.current;
    setTokens(null);
    if (current) {
      await revoke(clientId, current.refreshToken ?? current.accessToken);
      if (current.refreshToken) await revoke(clientId, current.accessToken);
    }
  }, [clientId, setTokens]);

  /** One refresh at a time, shared by every request that met a 401. */
  const refresh = useCallback(async (): Promise<boolean> => {
    const current = tokens.current;
    if (!current?.refreshToken) return false;
    refreshing.current ??= refreshTokens(clientId, current.refreshToken)
      .then((next) => {
        setTokens(next);
        return true;
      })
      .catch(() => {
        setTokens(null);
        setError('Your sign-in has expired. Press "Login" again.');
        return false;
      })
      .finally(() => {
        refreshing.current = null;
      });
    return refreshing.current;
  }, [clientId, setTokens]);

  const client: LifelineClient = useMemo(() => {
    // Retry once after a refresh when the access token has expired or was revoked.
    const fetchWithRefresh: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status !== 401 || !(await refresh())) return res;
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${tokens.current?.accessToken ?? ''}`);
      return fetch(input, { ...init, headers });
    };
    return createClient({
      baseUrl: window.location.origin,
      token: () => tokens.current?.accessToken,
      credentials: 'omit',
      fetch: fetchWithRefresh,
    });
  }, [refresh]);

  return { state, error, login, logout, client };
}
