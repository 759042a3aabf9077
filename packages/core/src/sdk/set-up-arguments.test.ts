import { describe, expect, it } from 'vitest';
import { createAssignmentNotifier } from '../assignments/index';
import { createSyncEngine } from '../engine/index';
import { ConfigurationError } from '../errors/index';
import { createProviderHttp } from '../http/index';
import { createNotificationFeed, createSyncNotifier, providerDisplayName } from '../notifications/index';
import { createConnectFlow } from '../oauth/index';
import { createTokenManager } from '../tokens/index';
import { createBlueClerk } from './create-blueclerk';

describe('set-up functions given the wrong thing', () => {
  it('answer with a typed ConfigurationError naming the function, never a TypeError', () => {
    const factories: Array<[string, (options: never) => unknown]> = [
      ['createBlueClerk', createBlueClerk],
      ['createConnectFlow', createConnectFlow],
      ['createSyncEngine', createSyncEngine],
      ['createTokenManager', createTokenManager],
      ['createProviderHttp', createProviderHttp],
      ['createNotificationFeed', createNotificationFeed],
      ['createSyncNotifier', createSyncNotifier],
      ['createAssignmentNotifier', createAssignmentNotifier],
    ];
    for (const [name, factory] of factories) {
      for (const wrong of [null, undefined, 42, 'options', []]) {
        let error: unknown;
        try {
          factory(wrong as never);
        } catch (caught) {
          error = caught;
        }
        expect(ConfigurationError.isInstance(error), `${name}(${String(wrong)})`).toBe(true);
      }
    }
    expect(providerDisplayName(5 as never)).toBe('the provider');
  });
});
