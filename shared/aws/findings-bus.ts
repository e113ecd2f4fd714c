import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { FINDINGS_DETAIL_TYPE, FINDINGS_SOURCE, type FindingsEvent } from '../core/events/findings-event.js';
import type { FindingsPublisher } from '../service/publisher.js';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;
/** Entries EventBridge failed (throttled, internal) are sent again this many times. */
const ATTEMPTS = 3;

/**
 * Publishes findings to the guard's bus, ten entries a call. PutEvents can
 * fail some entries and succeed the rest: those are sent again, and if any
 * still fail, the run throws so Lambda retries the event (and, in the end,
 * sends it to the dead-letter queue): nothing is lost silently.
 */
export class EventBridgePublisher implements FindingsPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly FindingsEvent[]): Promise<number> {
    for (let i = 0; i < events.length; i += BATCH)
      await this.send(events.slice(i, i + BATCH).map((e) => this.entry(e)));
    return events.length;
  }

  private entry(event: FindingsEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: FINDINGS_SOURCE,
      DetailType: FINDINGS_DETAIL_TYPE,
      Detail: JSON.stringify(event),
      ...(event.principal ? { Resources: [event.principal] } : {}),
    };
  }

  private async send(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const out = await this.client.send(new PutEventsCommand({ Entries: pending }));
      const failed = pending.filter((_, i) => out.Entries?.[i]?.ErrorCode);
      if (failed.length === 0) return;
      if (attempt >= ATTEMPTS) {
        const first = out.Entries?.find((e) => e.ErrorCode);
        throw new Error(
          `EventBridge refused ${failed.length} findings event(s) on bus ${this.busName} after ${ATTEMPTS} attempts: ${first?.ErrorCode} ${first?.ErrorMessage ?? ''}`.trim(),
        );
      }
      pending = failed;
    }
  }
}
