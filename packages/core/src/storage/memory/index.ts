export { createMemoryBackend, type MemoryBackend } from './backend';
export { createMemoryStorage, type MemoryStorageOptions } from './memory-storage';
