import { CompactEncrypt, compactDecrypt, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { assertSetting } from '../credentials/index';
import { AuthError, ConfigurationError } from '../errors/index';
import { registerSecret } from '../redact/index';
import type { Clock } from '../runtime/clock';
import { PROVIDER_ID_PATTERN, type ProviderId } from '../storage/types';

/**
 * The OAuth `state` parameter: the connection context travels through the provider's redirect inside a JWT that is
 * signed (HS256) and then encrypted (JWE `dir` + A256GCM). Encryption hides the PKCE verifier and the owner id from
 * the browser and the provider; the inner signature plus GCM's tag make any change detectable. Keys are derived from
 * one configured secret with HKDF, a different key per purpose.
 */
export interface OAuthStatePayload {
  ownerId: string;
  provider: ProviderId;
  connectionId: string;
  /** Where the app sends the user after the callback; null when the app did not ask. */
  returnTo: string | null;
  /** PKCE verifier; null when the provider does not use PKCE. */
  codeVerifier: string | null;
  /** Single-use marker: the callback remembers it, so a replayed state is refused. */
  nonce: string;
  /**
   * SHA-256 (base64url) of the browser binding `connect.start` handed to the app for a cookie; the callback must
   * present the binding itself, so a state completed in another browser is refused (login CSRF).
   */
  bindingHash: string;
  /** When the state expires, epoch ms. */
  expiresAt: number;
}

export interface StateCodec {
  seal(payload: Omit<OAuthStatePayload, 'expiresAt'>): Promise<string>;
  /**
   * Verifies, decrypts and checks expiry and, when given, the provider (otherwise the one the state names, which
   * the signature covers). Throws `AuthError('oauth_state_invalid')`.
   */
  open(state: string, expectedProvider?: ProviderId): Promise<OAuthStatePayload>;
}

const MIN_SECRET_LENGTH = 32;

/**
 * A state secret passes the credentials rules (set, not padded, not a placeholder) and is long and varied enough to
 * key HMAC and AES-GCM through HKDF. Refused at set-up, not at the first forged callback. Messages name the setting,
 * never the value.
 */
export function assertStateSecret(secret: unknown, setting = 'stateSecret'): asserts secret is string {
  const value = assertSetting(setting, secret);
  if (value.length < MIN_SECRET_LENGTH || new Set(value).size < 10) {
    throw new ConfigurationError(
      setting,
      `${setting} must be a random string of at least ${MIN_SECRET_LENGTH} characters`,
      {
        action: 'Generate one with `openssl rand -base64 48`',
      },
    );
  }
  registerSecret(value);
}

const payloadSchema = /* @__PURE__ */ (() =>
  z.object({
    ownerId: z.string().min(1),
    provider: z.string().regex(PROVIDER_ID_PATTERN),
    connectionId: z.string().min(1),
    returnTo: z.string().nullable(),
    codeVerifier: z.string().nullable(),
    nonce: z.string().min(16),
    bindingHash: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  }))();

const SALT = new TextEncoder().encode('blueclerk/oauth-state/v1');

async function deriveKey(secret: string, purpose: string): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: new TextEncoder().encode(purpose) },
    material,
    256,
  );
  return new Uint8Array(bits);
}

function invalid(message: string): AuthError {
  return new AuthError('oauth_state_invalid', message, {
    action: 'Start the connection again from your app; the link you followed is not valid any more',
  });
}

export async function createStateCodec(options: {
  secret: string;
  clock: Clock;
  /** Default 10 minutes: long enough to log in at the provider, short enough to be useless later. */
  ttlMs?: number;
}): Promise<StateCodec> {
  assertStateSecret(options.secret);
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const [signKey, encryptKey] = await Promise.all([
    deriveKey(options.secret, 'sign'),
    deriveKey(options.secret, 'encrypt'),
  ]);
  const { clock } = options;

  return {
    async seal(payload) {
      const nowSec = Math.floor(clock.now() / 1000);
      const signed = await new SignJWT({ ...payload })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(nowSec)
        .setExpirationTime(nowSec + Math.ceil(ttlMs / 1000))
        .setAudience(`blueclerk:${payload.provider}`)
        .sign(signKey);
      return new CompactEncrypt(new TextEncoder().encode(signed))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'JWT' })
        .encrypt(encryptKey);
    },

    async open(state, expectedProvider) {
      if (typeof state !== 'string' || state.length === 0 || state.length > 4096) {
        throw invalid('The OAuth state parameter is missing or malformed');
      }
      let signed: string;
      try {
        const { plaintext } = await compactDecrypt(state, encryptKey, {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        signed = new TextDecoder().decode(plaintext);
      } catch {
        // The jose error says nothing useful to a user and may quote header fields; drop it.
        throw invalid('The OAuth state parameter was altered or was not issued by this app');
      }
      let claims: Record<string, unknown>;
      try {
        const verified = await jwtVerify(signed, signKey, {
          algorithms: ['HS256'],
          currentDate: new Date(clock.now()),
        });
        claims = verified.payload as Record<string, unknown>;
      } catch (error) {
        const expired = (error as { code?: string } | null)?.code === 'ERR_JWT_EXPIRED';
        throw invalid(
          expired
            ? 'The OAuth state parameter has expired'
            : 'The OAuth state parameter was altered or was not issued by this app',
        );
      }
      const parsed = payloadSchema.safeParse(claims);
      if (!parsed.success)
        throw invalid('The OAuth state parameter does not carry a valid connection context');
      const expected = expectedProvider ?? parsed.data.provider;
      if (parsed.data.provider !== expected || claims.aud !== `blueclerk:${expected}`) {
        throw invalid(`The OAuth state parameter was issued for another provider, not ${expected}`);
      }
      return { ...parsed.data, expiresAt: Number(claims.exp) * 1000 };
    },
  };
}
