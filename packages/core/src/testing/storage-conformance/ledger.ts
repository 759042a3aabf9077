import { expect } from 'vitest';
import type { ClaimInput } from '../../storage/index';
import {
  CONCURRENCY,
  expectErrorCode,
  LONG_TTL_MS,
  PAST_SHORT_TTL_MS,
  raceAcross,
  SHORT_TTL_MS,
  type SuiteContext,
  sleep,
  unique,
} from './harness';
import { LEDGER_TESTS } from './names';

function claimInput(overrides: Partial<ClaimInput> = {}): ClaimInput {
  return {
    key: unique('payment.create'),
    connectionId: unique('conn'),
    operation: 'payment.create',
    requestId: unique('req'),
    reference: unique('ref').slice(0, 20),
    ttlMs: LONG_TTL_MS,
    ...overrides,
  };
}

export function defineLedgerTests(ctx: SuiteContext): void {
  ctx.test(LEDGER_TESTS.claim, async () => {
    const input = claimInput();
    const result = await ctx.storage().ledger.claim(input);
    expect(result.outcome).toBe('claimed');
    expect(result.entry).toMatchObject({
      key: input.key,
      connectionId: input.connectionId,
      operation: input.operation,
      status: 'pending',
      requestId: input.requestId,
      reference: input.reference,
      providerId: null,
      attempts: 1,
      lastError: null,
    });
    expect(result.entry.claimToken).toEqual(expect.any(String));
    expect(result.entry.claimExpiresAt).toBeGreaterThan(Date.now());
    const [other] = await ctx.instances(1);
    expect(await other!.ledger.getEntry(input.key)).toEqual(result.entry);
  });

  ctx.test(LEDGER_TESTS.concurrentClaims, async () => {
    const input = claimInput();
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) => storage.ledger.claim(input));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const outcomes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.outcome] : []));
    expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'in_progress')).toHaveLength(CONCURRENCY - 1);
    const entry = await ctx.storage().ledger.getEntry(input.key);
    expect(entry).toMatchObject({ status: 'pending', attempts: 1 });
  });

  ctx.test(LEDGER_TESTS.succeededFinal, async () => {
    const input = claimInput();
    const { ledger } = ctx.storage();
    const claimed = await ledger.claim(input);
    const done = await ledger.completeClaim(input.key, claimed.entry.claimToken!, { providerId: '1042' });
    expect(done).toMatchObject({ status: 'succeeded', providerId: '1042', claimToken: null });
    const [other] = await ctx.instances(1);
    const again = await other!.ledger.claim({ ...input, requestId: unique('req2') });
    expect(again.outcome).toBe('succeeded');
    expect(again.entry).toMatchObject({
      status: 'succeeded',
      providerId: '1042',
      requestId: input.requestId,
    });
    expect(again.entry.attempts).toBe(1);
    // Final means final: the spent token can no longer fail or re-complete it.
    await expectErrorCode(
      ledger.failClaim(input.key, claimed.entry.claimToken!, { code: 'network', message: 'late failure' }),
      'ledger_claim_lost',
    );
    expect((await ledger.getEntry(input.key))?.status).toBe('succeeded');
  });

  ctx.test(LEDGER_TESTS.recover, async () => {
    const input = claimInput({ ttlMs: SHORT_TTL_MS });
    const [other] = await ctx.instances(1);
    const first = await ctx.storage().ledger.claim(input);
    expect((await other!.ledger.claim({ ...input, ttlMs: LONG_TTL_MS })).outcome).toBe('in_progress');
    await sleep(PAST_SHORT_TTL_MS);
    // Recovery is a race too: of 20 callers exactly one gets it. Each brings its own fresh requestId and
    // reference; the entry must keep the first attempt's, which is what the recovering caller looks up.
    const instances = [ctx.storage(), other!, ...(await ctx.instances(2))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) =>
      storage.ledger.claim({
        ...input,
        requestId: unique('req2'),
        reference: unique('ref2'),
        ttlMs: LONG_TTL_MS,
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const claims = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const recoveries = claims.filter((r) => r.outcome === 'recover');
    expect(recoveries).toHaveLength(1);
    expect(claims.filter((r) => r.outcome === 'in_progress')).toHaveLength(CONCURRENCY - 1);
    const recovered = recoveries[0]!;
    expect(recovered.entry).toMatchObject({
      status: 'pending',
      requestId: input.requestId,
      reference: input.reference,
      attempts: 2,
    });
    expect(recovered.entry.claimToken).not.toBe(first.entry.claimToken);
    expect(recovered.entry.claimExpiresAt).toBeGreaterThan(Date.now());

    await expectErrorCode(
      ctx.storage().ledger.completeClaim(input.key, first.entry.claimToken!, { providerId: 'stale' }),
      'ledger_claim_lost',
    );
    await expectErrorCode(
      ctx.storage().ledger.failClaim(input.key, first.entry.claimToken!, { code: 'network', message: 'x' }),
      'ledger_claim_lost',
    );
    expect(await ctx.storage().ledger.getEntry(input.key)).toMatchObject({
      status: 'pending',
      providerId: null,
    });
    const done = await other!.ledger.completeClaim(input.key, recovered.entry.claimToken!, {
      providerId: '77',
    });
    expect(done).toMatchObject({ status: 'succeeded', providerId: '77' });
  });

  ctx.test(LEDGER_TESTS.reclaimFailed, async () => {
    const input = claimInput();
    const { ledger } = ctx.storage();
    const first = await ledger.claim(input);
    const failed = await ledger.failClaim(input.key, first.entry.claimToken!, {
      code: 'rate_limited',
      message: 'QuickBooks throttled the request',
    });
    expect(failed).toMatchObject({
      status: 'failed',
      claimToken: null,
      lastError: { code: 'rate_limited', message: 'QuickBooks throttled the request' },
    });
    const instances = [ctx.storage(), ...(await ctx.instances(3))];
    const results = await raceAcross(instances, CONCURRENCY, (storage) => storage.ledger.claim(input));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const claims = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const winners = claims.filter((r) => r.outcome === 'claimed');
    expect(winners).toHaveLength(1);
    expect(claims.filter((r) => r.outcome === 'in_progress')).toHaveLength(CONCURRENCY - 1);
    const again = winners[0]!;
    expect(again.entry).toMatchObject({ status: 'pending', attempts: 2, requestId: input.requestId });
    expect(again.entry.claimToken).not.toBe(first.entry.claimToken);
    await expectErrorCode(
      ledger.completeClaim(input.key, first.entry.claimToken!, { providerId: 'x' }),
      'ledger_claim_lost',
    );
    const done = await ledger.completeClaim(input.key, again.entry.claimToken!, { providerId: '9' });
    expect(done).toMatchObject({ status: 'succeeded', providerId: '9', attempts: 2 });
  });

  ctx.test(LEDGER_TESTS.wrongToken, async () => {
    const input = claimInput();
    const { ledger } = ctx.storage();
    await ledger.claim(input);
    await expectErrorCode(
      ledger.completeClaim(input.key, 'not-the-token', { providerId: '1' }),
      'ledger_claim_lost',
    );
    await expectErrorCode(
      ledger.failClaim(input.key, 'not-the-token', { code: 'network', message: 'x' }),
      'ledger_claim_lost',
    );
    await expectErrorCode(
      ledger.completeClaim(unique('missing'), 'not-the-token', { providerId: '1' }),
      'ledger_claim_lost',
    );
    expect(await ledger.getEntry(input.key)).toMatchObject({
      status: 'pending',
      providerId: null,
      lastError: null,
    });
  });

  ctx.test(LEDGER_TESTS.staleClaims, async () => {
    const { ledger } = ctx.storage();
    const older = claimInput({ ttlMs: SHORT_TTL_MS });
    await ledger.claim(older);
    await sleep(20);
    const newer = claimInput({ ttlMs: SHORT_TTL_MS });
    await ledger.claim(newer);
    const finished = claimInput({ ttlMs: SHORT_TTL_MS });
    const finishedClaim = await ledger.claim(finished);
    await ledger.completeClaim(finished.key, finishedClaim.entry.claimToken!, { providerId: '5' });
    const live = claimInput({ ttlMs: LONG_TTL_MS });
    await ledger.claim(live);

    expect(await ledger.listStaleClaims({ expiredBefore: Date.now() - 60_000 })).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ key: older.key })]),
    );
    await sleep(PAST_SHORT_TTL_MS);
    const stale = await ledger.listStaleClaims({ expiredBefore: Date.now() });
    const keys = stale.map((entry) => entry.key);
    expect(keys).toContain(older.key);
    expect(keys).toContain(newer.key);
    expect(keys.indexOf(older.key)).toBeLessThan(keys.indexOf(newer.key));
    expect(keys).not.toContain(finished.key);
    expect(keys).not.toContain(live.key);
    for (const entry of stale) expect(entry.status).toBe('pending');
    const expiries = stale.map((entry) => entry.claimExpiresAt!);
    expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    expect(await ledger.listStaleClaims({ expiredBefore: Date.now(), limit: 1 })).toHaveLength(1);
  });

  ctx.test(LEDGER_TESTS.getUnknown, async () => {
    expect(await ctx.storage().ledger.getEntry(unique('missing'))).toBeNull();
  });
}
