import type { BlueClerkEvent, EventBus, EventListener } from './types';

/** Fan-out to listeners; a throwing or rejecting listener never breaks the emitter or the other listeners. */
export function createEventBus(): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(event: BlueClerkEvent) {
      for (const listener of listeners) {
        try {
          const result = listener(event);
          if (result && typeof (result as Promise<void>).catch === 'function') {
            (result as Promise<void>).catch(() => {});
          }
        } catch {
          // A listener's failure is its own; the sync that emitted the event must not fail because of it.
        }
      }
    },
    subscribe(listener: EventListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
