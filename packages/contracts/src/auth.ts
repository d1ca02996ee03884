import { z } from 'zod';
import { id, timestamp } from './common.js';

export const role = z.enum(['admin', 'agent']);
export type Role = z.infer<typeof role>;

export const scope = z.enum(['cases:read', 'cases:write', 'reports:read', 'admin']);
export type Scope = z.infer<typeof scope>;
export const allScopes = scope.options;

export const email = z
  .email()
  .max(254)
  .transform((v) => v.toLowerCase());
export const password = z.string().min(10, 'must be at least 10 characters').max(200);
export const personName = z.string().trim().min(1).max(200);

export const userSchema = z
  .object({
    id,
    email: z.string(),
    name: z.string(),
    role,
    active: z.boolean(),
    defaultGroupId: id,
    groupIds: z.array(id),
    createdAt: timestamp,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

export const organizationSchema = z.object({ id, name: z.string() }).meta({ id: 'Organization' });

export const loginRequest = z
  .strictObject({ email, password: z.string().min(1).max(200) })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.input<typeof loginRequest>;
export const loginResponse = z
  .object({ user: userSchema, csrfToken: z.string() })
  .meta({ id: 'LoginResponse' });

export const meResponse = z
  .object({
    user: userSchema,
    organization: organizationSchema,
    /** What the current credentials may do: all of the role's scopes for the console, the token's for integrators. */
    scopes: z.array(scope),
    /** Cookie sessions only: the token to send in `x-csrf-token`. */
    csrfToken: z.string().optional(),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof meResponse>;

export const tokenName = z.string().trim().min(1).max(100);
export const createTokenRequest = z
  .strictObject({
    name: tokenName,
    scopes: z.array(scope).min(1).max(4),
  })
  .meta({ id: 'CreateTokenRequest' });
export type CreateTokenRequest = z.input<typeof createTokenRequest>;

export const tokenSchema = z
  .object({
    id,
    name: z.string(),
    scopes: z.array(scope),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof tokenSchema>;
export const createdTokenSchema = tokenSchema.extend({ token: z.string() }).meta({ id: 'CreatedApiToken' });
export type CreatedApiToken = z.infer<typeof createdTokenSchema>;
/** `/api/v1/users/{id}/tokens/{tokenId}`: an admin acting on a user's token. */
export const userTokenParams = z.strictObject({ id, tokenId: id });
