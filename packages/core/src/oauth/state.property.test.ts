import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError, BlueClerkError } from '../errors/index';
import { createManualClock } from '../runtime/clock';
import { createStateCodec, type OAuthStatePayload } from './state';

/*
 * The `state` query parameter of an OAuth callback is attacker-controlled text. Whatever arrives, `open` answers with
 * `AuthError('oauth_state_invalid')` (or the payload, for a state this app sealed) and does so quickly: the 50 ms
 * bound is a behaviour bound against CPU denial of service through the callback URL, not a benchmark.
 */
const MAX_MS_PER_CASE = 50;
const SECRET = 'q7V2mX9pL4sT8wZ1cB6nR3fH5jK0dG2a';

const payload: Omit<OAuthStatePayload, 'expiresAt'> = {
  ownerId: 'owner-1',
  provider: 'quickbooks',
  connectionId: 'conn-1',
  returnTo: '/settings',
  codeVerifier: 'verifier-verifier-verifier-verifier-123',
  nonce: 'nonce-0123456789abcdef',
  bindingHash: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg',
};

/** Opens `state`; only the payload or an `oauth_state_invalid` AuthError may come out, within the bound. */
async function expectRefusedOrOpened(open: () => Promise<unknown>): Promise<unknown> {
  const start = performance.now();
  let outcome: unknown;
  try {
    outcome = await open();
  } catch (error) {
    if (!BlueClerkError.isInstance(error) || !AuthError.isInstance(error)) throw error;
    expect(error.code).toBe('oauth_state_invalid');
    outcome = error;
  }
  expect(performance.now() - start).toBeLessThan(MAX_MS_PER_CASE);
  return outcome;
}

// Shapes a state takes: five base64url segments (compact JWE), arbitrary text, and values of other types.
const base64url = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
  maxLength: 300,
});
const jweLike = fc.array(base64url, { minLength: 1, maxLength: 7 }).map((parts) => parts.join('.'));
const hostileState = fc.oneof(
  jweLike,
  fc.string({ unit: 'binary', maxLength: 500 }),
  fc.string({ maxLength: 5000 }),
  fc.constantFrom('', '.', '....', 'null', 'eyJhbGciOiJub25lIn0.e30.', 'a'.repeat(4097)),
  fc.anything(),
);

describe('OAuth state decoder under hostile input', () => {
  it('a forged or garbled state parameter is refused with oauth_state_invalid in under 50 ms', async () => {
    const codec = await createStateCodec({ secret: SECRET, clock: createManualClock() });
    await codec.open(await codec.seal(payload)); // warm up key import and the JOSE code paths
    await fc.assert(
      fc.asyncProperty(
        hostileState,
        fc.option(fc.anything(), { nil: undefined }),
        async (state, provider) => {
          const outcome = await expectRefusedOrOpened(() => codec.open(state as string, provider as never));
          expect(AuthError.isInstance(outcome)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a sealed state with any character changed is refused, never opened as another payload', async () => {
    const codec = await createStateCodec({ secret: SECRET, clock: createManualClock() });
    const sealed = await codec.seal(payload);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: sealed.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
        async (index, replacement) => {
          fc.pre(sealed[index] !== replacement);
          const tampered = sealed.slice(0, index) + replacement + sealed.slice(index + 1);
          const outcome = await expectRefusedOrOpened(() => codec.open(tampered));
          // Base64url's last character carries padding bits: changing only those decodes to the same bytes.
          if (!AuthError.isInstance(outcome)) expect(outcome).toMatchObject(payload);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a state sealed by another secret is refused', async () => {
    const clock = createManualClock();
    const other = await createStateCodec({ secret: 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4', clock });
    const codec = await createStateCodec({ secret: SECRET, clock });
    const outcome = await expectRefusedOrOpened(async () => codec.open(await other.seal(payload)));
    expect(AuthError.isInstance(outcome)).toBe(true);
  });
});
