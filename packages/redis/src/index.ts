/**
 * @blueclerk/redis - BlueClerk storage on Redis (ioredis).
 */

export { createRedisKeys, type RedisKeys } from './keys';
export { createRedisStorage, type RedisStorageOptions } from './storage';
