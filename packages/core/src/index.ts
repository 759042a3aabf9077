/**
 * @blueclerk/core - the provider-agnostic heart of the BlueClerk Accounting SDK.
 * Edge-safe: no `node:` imports anywhere under this entry point.
 */
export * from './assignments/index';
export * from './credentials/index';
export * from './engine/index';
export * from './errors/index';
export * from './events/index';
export * from './http/index';
export * from './model/index';
export * from './notifications/index';
export * from './oauth/index';
export * from './provider/index';
export * from './redact/index';
export * from './runtime/index';
export * from './sdk/index';
export * from './storage/index';
export * from './storage/memory/index';
export * from './tokens/index';
export * from './vault/index';
