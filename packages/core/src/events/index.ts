export { createEventBus } from './bus';
export type { BlueClerkEvent, BlueClerkEventType, EventBus, EventListener } from './types';
