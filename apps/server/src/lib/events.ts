import type { FastifyBaseLogger } from 'fastify';

/**
 * A typed, in-process event map: each event name has one payload type, and
 * `emit` reaches every subscriber synchronously. Emitters call it after their
 * transaction committed, so a subscriber never hears of a change that was
 * rolled back; one failing subscriber is logged and never stops the others
 * or the write that already happened.
 */
export class TypedEvents<Events extends object> {
  private readonly handlers = new Map<keyof Events, ((payload: never) => void)[]>();

  constructor(private readonly logger: FastifyBaseLogger) {}

  on<K extends keyof Events>(name: K, handler: (payload: Events[K]) => void) {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as (payload: never) => void);
    this.handlers.set(name, list);
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]) {
    for (const handler of this.handlers.get(name) ?? []) {
      try {
        (handler as (payload: Events[K]) => void)(payload);
      } catch (err) {
        this.logger.error({ err, event: name }, 'an event subscriber failed');
      }
    }
  }
}
