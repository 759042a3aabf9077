import { expect } from 'vitest';
import type { NewConnection } from '../../storage/index';
import {
  expectErrorCode,
  expectValidationIssue,
  LONG_TTL_MS,
  newConnection,
  type SuiteContext,
  sealedTokens,
  unique,
} from './harness';
import { CONNECTION_TESTS } from './names';

/** Provider ids owned by provider packages core has never heard of: every store must take them as they are. */
const WELL_FORMED_PROVIDER_IDS = ['acme-books', 'ab', 'a1-2', `z${'9'.repeat(39)}`];

/** Each breaks one part of `PROVIDER_ID_PATTERN`. */
const MALFORMED_PROVIDER_IDS: unknown[] = [
  '',
  'a',
  'QuickBooks',
  '1books',
  '-books',
  'acme books',
  'acme_books',
  'quickbooks\n',
  `a${'b'.repeat(40)}`,
  42,
  null,
];

/** Per-connection settings as a provider package declares them: nested, mixed types, non-ASCII text. */
export function sampleSettings(): Record<string, unknown> {
  return {
    incomeAccountId: unique('account'),
    taxCode: { id: 'TAX', rate: 0.0825, inclusive: false },
    paymentMethods: { card: '1', ach: '2' },
    depositAccountId: null,
    homeCurrency: 'USD',
    invoiceNumbering: [{ prefix: 'INV-', start: 1000 }],
    memo: 'Café – ünïcode ✓',
  };
}

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
}

/** Settings a JSON column cannot hold faithfully. Each is refused, never stored half-right. */
const INVALID_SETTINGS: Array<[string, () => unknown]> = [
  ['an array', () => [{ incomeAccountId: '1' }]],
  ['null', () => null],
  ['a string', () => '{"incomeAccountId":"1"}'],
  ['a function value', () => ({ incomeAccountId: () => '1' })],
  ['a bigint value', () => ({ limit: 10n })],
  ['a Date value', () => ({ since: new Date(0) })],
  ['a Map value', () => ({ methods: new Map([['card', '1']]) })],
  ['a non-finite number', () => ({ rate: Number.NaN })],
  ['undefined inside an array', () => ({ list: [1, undefined] })],
  ['a cycle', cyclic],
];

export function defineConnectionSettingsTests(ctx: SuiteContext): void {
  ctx.test(CONNECTION_TESTS.providerIds, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const ownerId = unique('owner');
    for (const provider of WELL_FORMED_PROVIDER_IDS) {
      const created = await connections.createConnection(newConnection({ ownerId, provider }));
      expect(created.provider).toBe(provider);
      expect((await other!.connections.getConnection(created.id))?.provider).toBe(provider);
      const listed = await other!.connections.listConnections({ ownerId, provider });
      expect(listed.map((c) => c.id)).toEqual([created.id]);
    }

    for (const provider of MALFORMED_PROVIDER_IDS) {
      const id = unique('conn');
      await expectValidationIssue(
        connections.createConnection({ ...newConnection({ id, ownerId }), provider } as NewConnection),
        'provider',
      );
      expect(await other!.connections.getConnection(id), `provider ${JSON.stringify(provider)}`).toBeNull();
    }
    expect(await connections.listConnections({ ownerId })).toHaveLength(WELL_FORMED_PROVIDER_IDS.length);
  });

  ctx.test(CONNECTION_TESTS.settings, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const settings = sampleSettings();
    const created = await connections.createConnection(newConnection({ settings }));
    expect(created.settings).toEqual(settings);
    expect((await other!.connections.getConnection(created.id))?.settings).toEqual(settings);
    const [listed] = await other!.connections.listConnections({ ownerId: created.ownerId });
    expect(listed?.settings).toEqual(settings);

    // Replaced as a whole: keys left out of the new settings are gone, other fields are untouched.
    const replacement = { incomeAccountId: unique('account'), homeCurrency: 'CAD' };
    const updated = await other!.connections.updateConnection(
      created.id,
      { settings: replacement },
      { expectedVersion: 1 },
    );
    expect(updated).toMatchObject({
      settings: replacement,
      version: 2,
      tokens: created.tokens,
      metadata: created.metadata,
      status: created.status,
      tenantId: created.tenantId,
    });
    expect(await connections.getConnection(created.id)).toEqual(updated);

    // A patch without settings leaves them alone; `{}` clears them.
    const statusOnly = await connections.updateConnection(
      created.id,
      { status: 'needs_reconnect' },
      { expectedVersion: 2 },
    );
    expect(statusOnly.settings).toEqual(replacement);
    const cleared = await connections.updateConnection(created.id, { settings: {} }, { expectedVersion: 3 });
    expect(cleared).toMatchObject({ settings: {}, version: 4 });
    expect((await other!.connections.getConnection(created.id))?.settings).toEqual({});

    // Properties that are undefined are left out, as JSON leaves them out.
    const withUndefined = await connections.updateConnection(
      created.id,
      { settings: { homeCurrency: 'EUR', taxCode: undefined } },
      { expectedVersion: 4 },
    );
    expect(withUndefined.settings).toEqual({ homeCurrency: 'EUR' });
    const reread = await other!.connections.getConnection(created.id);
    expect(reread?.settings).toEqual({ homeCurrency: 'EUR' });
    expect(Object.keys(reread?.settings ?? {})).toEqual(['homeCurrency']);

    // Copies in and out, as every other field.
    withUndefined.settings.homeCurrency = 'mutated';
    expect((await connections.getConnection(created.id))?.settings).toEqual({ homeCurrency: 'EUR' });
  });

  ctx.test(CONNECTION_TESTS.settingsStale, async () => {
    const { connections } = ctx.storage();
    const settings = sampleSettings();
    const created = await connections.createConnection(newConnection({ settings }));
    const current = { ...settings, homeCurrency: 'GBP' };
    await connections.updateConnection(created.id, { settings: current }, { expectedVersion: 1 });

    await expectErrorCode(
      connections.updateConnection(created.id, { settings: { homeCurrency: 'JPY' } }, { expectedVersion: 1 }),
      'conflict',
    );
    const lockKey = unique('lock');
    const lease = (await ctx.storage().locks.acquireLease(lockKey, { ttlMs: LONG_TTL_MS }))!;
    await expectErrorCode(
      connections.updateConnection(
        created.id,
        { settings: { homeCurrency: 'AUD' }, tokens: sealedTokens() },
        { expectedVersion: 2, fence: { key: lockKey, fence: lease.fence - 1 } },
      ),
      'lease_lost',
    );
    const [other] = await ctx.instances(1);
    const stored = await other!.connections.getConnection(created.id);
    expect(stored).toMatchObject({ version: 2, settings: current, tokens: created.tokens });

    // The current holder of the lease, at the current version, gets through.
    const fenced = await other!.connections.updateConnection(
      created.id,
      { settings: { homeCurrency: 'NZD' } },
      { expectedVersion: 2, fence: { key: lockKey, fence: lease.fence } },
    );
    expect(fenced).toMatchObject({ version: 3, settings: { homeCurrency: 'NZD' } });
  });

  ctx.test(CONNECTION_TESTS.settingsInvalid, async () => {
    const { connections } = ctx.storage();
    const [other] = await ctx.instances(1);
    const settings = sampleSettings();
    const created = await connections.createConnection(newConnection({ settings }));
    for (const [what, make] of INVALID_SETTINGS) {
      const id = unique('conn');
      await expectValidationIssue(
        connections.createConnection(newConnection({ id, settings: make() as Record<string, unknown> })),
        'settings',
      );
      expect(await other!.connections.getConnection(id), `create with ${what}`).toBeNull();
      await expectValidationIssue(
        connections.updateConnection(
          created.id,
          { settings: make() as Record<string, unknown>, status: 'disconnected' },
          { expectedVersion: 1 },
        ),
        'settings',
      );
    }
    // No refused update wrote anything: not the settings, not the other fields of the patch, not the version.
    expect(await other!.connections.getConnection(created.id)).toEqual(created);
  });
}
