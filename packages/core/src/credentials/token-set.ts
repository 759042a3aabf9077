import { z } from 'zod';
import { AuthError } from '../errors/index';
import type { TokenSet } from '../vault/types';

// Tokens are opaque to us, but never contain whitespace: a space or newline means a corrupted or mis-pasted value,
// which a provider would answer with a confusing 401.
const token = (what: string) =>
  z
    .string({ error: `${what} is not a string` })
    .min(1, { error: `${what} is empty` })
    .regex(/^\S+$/, { error: `${what} contains whitespace` });

// zod 4 numbers already refuse NaN and Infinity.
const time = (what: string) => z.number({ error: `${what} is not a finite number` });

const tokenSetSchema = /* @__PURE__ */ (() =>
  z.object({
    accessToken: token('access token'),
    refreshToken: token('refresh token').nullable(),
    accessTokenExpiresAt: time('access token expiry'),
    refreshTokenExpiresAt: time('refresh token expiry').nullable(),
    refreshTokenIssuedAt: time('refresh token issue time').nullable(),
    scope: z.string({ error: 'scope is not a string' }).nullable(),
    accessTokenIssuedAt: time('access token issue time').optional(),
  }))();

/**
 * Checks an opened token set before it is used in a request. Throws `AuthError('token_invalid')` naming what is
 * wrong (never a token value); the connection then needs the user to connect again.
 */
export function assertUsableTokenSet(tokenSet: unknown): asserts tokenSet is TokenSet {
  if (typeof tokenSet !== 'object' || tokenSet === null) {
    throw new AuthError('token_invalid', 'Token set is missing', { action: 'Reconnect the account.' });
  }
  const parsed = tokenSetSchema.safeParse(tokenSet);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new AuthError('token_invalid', `Token set is unusable: ${problems.join('; ')}`, {
      action: 'Reconnect the account; the stored tokens cannot be used.',
    });
  }
}
