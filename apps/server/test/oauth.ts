import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { PASSWORD, type TestOrg, type TestServer } from './harness.js';

/** The OAuth provider's issuer is `${PUBLIC_URL}/oauth`; tests reach the server on loopback. */
export const PUBLIC_URL = 'http://lifeline.test';
export const CALLBACK = `${PUBLIC_URL}/connector/callback`;

/** A browser's cookies for the sign-in tab, enough for the provider's interaction and session cookies. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** Follows the tab through the provider: authorisation, sign-in, consent; answers the callback URL. */
export async function authorize(
  t: TestServer,
  app: { clientId: string },
  email: string,
  options: {
    scope?: string;
    decision?: 'allow' | 'deny';
    challenge: string;
    jar?: CookieJar;
    /** The app's confidential client and one of its redirect URIs; the pages' public client by default. */
    confidential?: { redirectUri: string; state: string };
  },
) {
  const clientId = options.confidential ? app.clientId : `${app.clientId}.pages`;
  const redirectUri = options.confidential?.redirectUri ?? CALLBACK;
  const jar = options.jar ?? new CookieJar();
  const get = async (url: string) => {
    const res = await t.fetch(url.replace(PUBLIC_URL, '').replace(t.baseUrl, ''), {
      headers: { cookie: jar.header() },
      redirect: 'manual',
    });
    jar.store(res);
    return res;
  };
  const post = async (url: string, body: unknown) => {
    const res = await t.fetch(url, {
      method: 'POST',
      headers: { cookie: jar.header(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    jar.store(res);
    return res;
  };
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: options.scope ?? 'cases:read cases:write',
    state: options.confidential?.state ?? 'state-1',
    code_challenge: options.challenge,
    code_challenge_method: 'S256',
  });
  let res = await get(`/oauth/auth?${query}`);
  for (let step = 0; step < 6; step++) {
    const location = res.headers.get('location') ?? '';
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(300);
    if (location.startsWith(redirectUri)) return new URL(location);
    const interaction = /\/oauth\/interaction\/([^/?]+)$/.exec(location);
    if (!interaction) {
      res = await get(location);
      continue;
    }
    const uid = interaction[1];
    const details = (await (await get(`/oauth/interaction/${uid}/details`)).json()) as { prompt: string };
    const answer =
      details.prompt === 'login'
        ? await post(`/oauth/interaction/${uid}/login`, { email, password: PASSWORD })
        : await post(`/oauth/interaction/${uid}/${options.decision ?? 'allow'}`, {});
    expect(answer.status).toBe(200);
    res = await get(((await answer.json()) as { redirectTo: string }).redirectTo);
  }
  throw new Error('the authorisation never came back to the callback');
}

export const newApp = (org: TestOrg) =>
  org.admin.connectorApps.create({
    name: 'Demo CRM',
    allowedOrigins: ['http://crm.test:8090'],
    redirectUris: ['http://crm.test:8090/oauth/callback'],
  });
