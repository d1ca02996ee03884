import { CONNECTOR_CALLBACK_PATH, pagesClientIdOf } from '@lifeline/contracts';

/** The message type the sign-in tab posts back to the connector frame. */
export const OAUTH_MESSAGE = 'lifeline:oauth';

const SCOPES = 'cases:read cases:write';

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
}

export interface PendingLogin {
  state: string;
  verifier: string;
  challenge: string;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const randomString = (bytes = 32) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/** A fresh PKCE verifier, its S256 challenge, and a state to recognise the answer by. */
export async function newPendingLogin(): Promise<PendingLogin> {
  const verifier = randomString();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { state: randomString(16), verifier, challenge: base64url(new Uint8Array(digest)) };
}

const origin = () => window.location.origin;
const redirectUri = () => `${origin()}${CONNECTOR_CALLBACK_PATH}`;

export function authorizeUrl(clientId: string, pending: PendingLogin) {
  const params = new URLSearchParams({
    client_id: pagesClientIdOf(clientId),
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: SCOPES,
    state: pending.state,
    code_challenge: pending.challenge,
    code_challenge_method: 'S256',
  });
  return `${origin()}/oauth/auth?${params}`;
}

async function tokenRequest(form: Record<string, string>): Promise<Tokens> {
  const res = await fetch(`${origin()}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    // The frame never relies on cookies: they may be blocked as third-party ones.
    credentials: 'omit',
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.access_token !== 'string') {
    throw new Error(
      String(body.error_description ?? body.error ?? `The token endpoint answered ${res.status}`),
    );
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
  };
}

export const exchangeCode = (clientId: string, code: string, verifier: string) =>
  tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(),
    client_id: pagesClientIdOf(clientId),
    code_verifier: verifier,
  });

export const refreshTokens = (clientId: string, refreshToken: string) =>
  tokenRequest({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: pagesClientIdOf(clientId),
  });

/** Revoking the refresh token ends the grant, and with it every access token it gave. */
export async function revoke(clientId: string, token: string) {
  await fetch(`${origin()}/oauth/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: pagesClientIdOf(clientId) }),
    credentials: 'omit',
  }).catch(() => undefined);
}

/**
 * Tokens live in this frame's memory and its sessionStorage (which the
 * browser partitions by the CRM's site), so a reload of the CRM page keeps
 * the agent signed in, and nothing depends on cookies.
 */
const storageKey = (clientId: string) => `lifeline.connector.${clientId}`;
export function loadTokens(clientId: string): Tokens | null {
  try {
    const raw = sessionStorage.getItem(storageKey(clientId));
    const parsed = raw ? (JSON.parse(raw) as Partial<Tokens>) : null;
    return parsed?.accessToken
      ? { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken ?? null }
      : null;
  } catch {
    return null;
  }
}
export function saveTokens(clientId: string, tokens: Tokens | null) {
  try {
    if (tokens) sessionStorage.setItem(storageKey(clientId), JSON.stringify(tokens));
    else sessionStorage.removeItem(storageKey(clientId));
  } catch {
    // Storage may be denied altogether in a third-party frame; memory still holds the tokens.
  }
}
