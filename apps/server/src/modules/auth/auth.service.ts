import type { ApiToken, CreatedApiToken, Scope } from '@lifeline/contracts';
import { toIso, toIsoOrNull } from '../../lib/clock.js';
import type { Deps } from '../../lib/deps.js';
import { forbidden, notFound, unauthenticated } from '../../lib/errors.js';
import { verifyPassword } from '../../lib/passwords.js';
import { sha256 } from '../../lib/random.js';
import type { PeopleService } from '../people/people.service.js';
import type { AccessChange } from '../realtime/access-feed.js';
import { AuthRepository } from './auth.repository.js';
import { type Principal, roleScopes } from './principal.js';
import { PrincipalCache } from './principal-cache.js';
import { RateLimiter } from './rate-limiter.js';

/** Personal API tokens carry this prefix so they are recognisable in logs and secret scanners. */
export const TOKEN_PREFIX = 'llt_';
const FAILED_LOGINS_PER_ACCOUNT = 10;
const FAILED_LOGINS_PER_ADDRESS = 50;
const LOGIN_WINDOW_MS = 15 * 60_000;

type PrincipalRow = {
  user_id: string;
  user_name: string;
  role: 'admin' | 'agent';
  org_id: string;
  default_group_id: string;
  active: number;
};
const toPrincipal = (row: PrincipalRow, scopes: readonly Scope[], via: Principal['via']): Principal => ({
  userId: row.user_id,
  userName: row.user_name,
  role: row.role,
  orgId: row.org_id,
  defaultGroupId: row.default_group_id,
  scopes,
  via,
});

/** What an OAuth access token stands for, as the provider's storage knows it. */
export interface OAuthAccessToken {
  /** Stable per token, so the principal cache can forget it on revocation. */
  id: string;
  userId: string;
  scopes: string[];
  /** How long the token has left to live. */
  lifetimeMs: number;
}
export type OAuthTokenLookup = (token: string) => Promise<OAuthAccessToken | undefined>;

export class AuthService {
  private readonly repo: AuthRepository;
  private readonly perAccount: RateLimiter;
  private readonly perAddress: RateLimiter;
  private readonly principals: PrincipalCache;
  private oauthTokens: OAuthTokenLookup | undefined;
  private readonly accessChanged: ((userId: string, change: AccessChange) => void)[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly people: PeopleService,
  ) {
    this.repo = new AuthRepository(deps.database.db);
    this.perAccount = new RateLimiter(
      deps.counters,
      'login-account',
      FAILED_LOGINS_PER_ACCOUNT,
      LOGIN_WINDOW_MS,
    );
    this.perAddress = new RateLimiter(
      deps.counters,
      'login-address',
      FAILED_LOGINS_PER_ADDRESS,
      LOGIN_WINDOW_MS,
    );
    this.principals = new PrincipalCache(deps.clock);
    people.onUserChanged((userId) => this.principals.forgetUser(userId));
  }

  /** Told after a sign-out or a token revoke, so the user's open sockets authenticate again. */
  onAccessChanged(listener: (userId: string, change: AccessChange) => void) {
    this.accessChanged.push(listener);
  }

  private announce(userId: string, change: AccessChange) {
    for (const listener of this.accessChanged) listener(userId, change);
  }

  /** The OAuth provider registers how its access tokens are looked up (it is built after this service). */
  useOAuthTokens(lookup: OAuthTokenLookup) {
    this.oauthTokens = lookup;
  }

  /**
   * Checks e-mail and password with the login rate limits. Every attempt is
   * counted before the password is checked (so parallel guesses cannot all
   * slip in before the first failure is counted); a success is given back, as
   * only failures are meant to count, and clears its account's count.
   */
  async verifyCredentials(email: string, password: string, clientIp: string) {
    const accountKey = `${clientIp}|${email}`;
    await this.perAccount.consume(accountKey);
    await this.perAddress.consume(clientIp);
    const user = await this.people.findUserByEmail(email);
    const ok = await verifyPassword(user?.password_hash, password);
    if (!user || !ok || user.active !== 1) throw unauthenticated('The e-mail address or password is wrong.');
    await this.perAccount.reset(accountKey);
    await this.perAddress.release(clientIp);
    return user;
  }

  /** Verifies the password and opens a cookie session. Failed attempts are counted per account and per address. */
  async login(email: string, password: string, clientIp: string) {
    return this.openSession(await this.verifyCredentials(email, password, clientIp));
  }

  /** A cookie session for a user whose credentials were just verified. */
  async openSession(user: { id: string; org_id: string }) {
    const sessionId = this.deps.random.token(32);
    const csrfToken = this.deps.random.token(32);
    const now = this.deps.clock.now();
    await this.repo.deleteExpiredSessions(now);
    await this.repo.insertSession({
      id_hash: sha256(sessionId),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: now + this.deps.config.sessionTtlMs,
    });
    return { sessionId, csrfToken, user: await this.people.getUser(user.org_id, user.id) };
  }

  async logout(sessionId: string) {
    const userId = await this.repo.deleteSession(sha256(sessionId));
    if (userId) this.announce(userId, 'signed_out');
  }

  async authenticateSession(sessionId: string): Promise<(Principal & { csrfToken: string }) | undefined> {
    const row = await this.repo.findSession(sha256(sessionId));
    if (row?.active !== 1 || row.expires_at <= this.deps.clock.now()) return undefined;
    return { ...toPrincipal(row, roleScopes[row.role], 'cookie'), csrfToken: row.csrf_token };
  }

  async authenticateToken(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return this.authenticateOAuthToken(token);
    const tokenHash = sha256(token);
    const cached = this.principals.get(tokenHash);
    if (cached) return cached;
    const version = this.principals.version();
    const row = await this.repo.findToken(tokenHash);
    if (!row || row.revoked_at !== null || row.active !== 1) return undefined;
    const now = this.deps.clock.now();
    // "Last used" is shown to the nearest minute; writing it on every request would double the cost of a read.
    if (row.last_used_at === null || now - row.last_used_at >= 60_000)
      await this.repo.touchToken(row.token_id, now);
    // A token never does more than its user's role allows today, whatever it was created with.
    const allowed = roleScopes[row.role];
    const scopes = (row.scopes.split(' ') as Scope[]).filter((s) => allowed.includes(s));
    const principal = toPrincipal(row, scopes, 'token');
    this.principals.set(tokenHash, row.token_id, principal, version);
    return principal;
  }

  /** Forgets cached OAuth principals; the provider calls it whenever it revokes or destroys a token. */
  forgetOAuthTokens() {
    this.principals.forgetWhere((tokenId) => tokenId.startsWith('oauth:'));
  }

  private async authenticateOAuthToken(token: string): Promise<Principal | undefined> {
    if (!this.oauthTokens) return undefined;
    const tokenHash = sha256(token);
    const cached = this.principals.get(tokenHash);
    if (cached) return cached;
    const version = this.principals.version();
    const found = await this.oauthTokens(token);
    if (!found) return undefined;
    const row = await this.repo.findPrincipalUser(found.userId);
    if (row?.active !== 1) return undefined;
    // Like personal tokens, never more than the user's role allows today.
    const allowed = roleScopes[row.role];
    const scopes = allowed.filter((s) => found.scopes.includes(s));
    const principal = toPrincipal(row, scopes, 'oauth');
    this.principals.set(tokenHash, `oauth:${found.id}`, principal, version, found.lifetimeMs);
    return principal;
  }

  /**
   * What POST /api/v1/tokens does: only a person signed in to the console (cookie + CSRF) makes a
   * personal token. A bearer token minting one would outlive itself — a 1-hour connector token would
   * leave a permanent one behind that survives the app's deletion.
   */
  async createTokenFromConsole(p: Principal, name: string, scopes: Scope[]): Promise<CreatedApiToken> {
    if (p.via !== 'cookie') {
      throw forbidden(
        'console_session_required',
        'Personal API tokens are created only from a signed-in console session, never with a bearer token.',
      );
    }
    return this.createToken(p, name, scopes);
  }

  /** Also the CLI's `token add`, run by whoever operates the server. */
  async createToken(p: Principal, name: string, scopes: Scope[]): Promise<CreatedApiToken> {
    const beyond = scopes.filter((s) => !roleScopes[p.role].includes(s) || !p.scopes.includes(s));
    if (beyond.length > 0) {
      throw forbidden('insufficient_scope', `You cannot grant scopes you do not have: ${beyond.join(', ')}.`);
    }
    const unique = [...new Set(scopes)];
    const token = TOKEN_PREFIX + this.deps.random.token(32);
    const row = {
      id: this.deps.newId(),
      org_id: p.orgId,
      user_id: p.userId,
      name,
      token_hash: sha256(token),
      scopes: unique.join(' '),
      created_at: this.deps.clock.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.repo.insertToken(row);
    return { id: row.id, name, scopes: unique, createdAt: toIso(row.created_at), lastUsedAt: null, token };
  }

  async listTokens(p: Principal): Promise<ApiToken[]> {
    return this.tokensOf(p.userId);
  }

  private async tokensOf(userId: string): Promise<ApiToken[]> {
    return (await this.repo.listTokens(userId)).map((t) => ({
      id: t.id,
      name: t.name,
      scopes: t.scopes.split(' ') as Scope[],
      createdAt: toIso(t.created_at),
      lastUsedAt: toIsoOrNull(t.last_used_at),
    }));
  }

  async revokeToken(p: Principal, id: string) {
    await this.revokeTokenOf(p.userId, id);
  }

  /** Admins: the personal tokens of any user of their organisation. */
  async listUserTokens(p: Principal, userId: string): Promise<ApiToken[]> {
    await this.people.getUser(p.orgId, userId);
    return this.tokensOf(userId);
  }

  async revokeUserToken(p: Principal, userId: string, id: string) {
    await this.people.getUser(p.orgId, userId);
    await this.revokeTokenOf(userId, id);
  }

  private async revokeTokenOf(userId: string, id: string) {
    const revoked = await this.repo.revokeToken(userId, id, this.deps.clock.now());
    this.principals.forgetToken(id);
    if (!revoked) throw notFound('The token');
    this.announce(userId, 'token_revoked');
  }
}
