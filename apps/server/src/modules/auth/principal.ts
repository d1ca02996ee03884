import type { Actor, Role, Scope } from '@lifeline/contracts';
import { forbidden } from '../../lib/errors.js';

/** Who is calling: a signed-in agent (cookie) or an integrator (bearer token acting for its user). */
export interface Principal {
  userId: string;
  userName: string;
  role: Role;
  orgId: string;
  defaultGroupId: string;
  scopes: readonly Scope[];
  /** `oauth`: an access token a connector app (OAuth client) obtained for the user. */
  via: 'cookie' | 'token' | 'oauth';
  /** Cookie sessions only: what state-changing requests must echo in `x-csrf-token`. */
  csrfToken?: string;
}

export const roleScopes: Record<Role, readonly Scope[]> = {
  agent: ['cases:read', 'cases:write', 'reports:read'],
  admin: ['cases:read', 'cases:write', 'reports:read', 'admin'],
};

export const actorOf = (p: Principal): Actor => ({ type: 'user', id: p.userId, name: p.userName });

export function assertScope(p: Principal, scope: Scope) {
  if (!p.scopes.includes(scope)) {
    throw forbidden('insufficient_scope', `This requires the "${scope}" scope.`);
  }
}
