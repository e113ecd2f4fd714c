import type { FindingsEvent } from '../core/events/findings-event.js';

/** Where findings go: the guard's EventBridge bus in AWS; the run's result in offline runs. */
export interface FindingsPublisher {
  /** Returns how many entries were published. */
  publish(events: readonly FindingsEvent[]): Promise<number>;
}

/** Keeps what would have been published: offline runs (`invoke local`, `handle-event --snapshot`). */
export class CollectingPublisher implements FindingsPublisher {
  readonly events: FindingsEvent[] = [];

  async publish(events: readonly FindingsEvent[]): Promise<number> {
    this.events.push(...events);
    return events.length;
  }
}
