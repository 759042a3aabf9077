/**
 * @blueclerk/redis - BlueClerk storage on Redis (ioredis).
 */

export { createRedisKeys, type RedisKeys } from './keys';
export { createRedisStorage, type RedisStorage, type RedisStorageOptions } from './storage';
