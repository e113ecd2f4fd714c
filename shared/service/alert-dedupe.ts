import { randomUUID } from 'node:crypto';

/**
 * The outcome of one claim. A claim that sends carries the repeats held back
 * since the last message, and can be released: the notifier releases it when
 * delivery fails, so the Lambda retry sends the alert (and the repeats) again
 * instead of finding it already claimed.
 */
export type Claim =
  | {
      readonly send: true;
      /** Held back since the last message. */
      readonly repeats: number;
      /** Undoes the claim as if it never happened; a no-op once another claim owns the slot. */
      release(): Promise<void>;
    }
  | { readonly send: false };

/** Sends the same alert once per window and destination, and counts the rest. */
export interface AlertDedupe {
  /**
   * One destination (e.g. `slack:ssm:/x`, `sns:arn…`) and alert key, within a window of `windowMs`.
   * `occurrence` names what raised it (the trigger): a retry of the occurrence that was sent is not a repeat.
   */
  claim(destination: string, key: string, windowMs: number, occurrence?: string): Promise<Claim>;
}

interface Slot {
  /** The window from the last sent message ends here (epoch ms); 0 once released. */
  windowEnd: number;
  /** Held back since the last sent message. */
  repeats: number;
  /** The claim that owns the window, so a late release cannot reopen someone else's. */
  claimId?: string;
  /** What the sent message was about: its retry is held back without counting. */
  occurrence?: string;
}

/**
 * The same, per process: offline runs and tests. The window slides: it is
 * measured from the last sent message, not aligned to the clock, so a burst
 * across a clock boundary still sends once.
 */
export class MemoryAlertDedupe implements AlertDedupe {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(destination: string, key: string, windowMs: number, occurrence?: string): Promise<Claim> {
    const id = JSON.stringify([destination, key]);
    const now = this.now();
    const slot = this.slots.get(id);
    if (slot && slot.windowEnd > now) {
      if (occurrence === undefined || slot.occurrence !== occurrence) slot.repeats += 1;
      return { send: false };
    }
    const carried = slot?.repeats ?? 0;
    const claimId = randomUUID();
    const owned: Slot = {
      windowEnd: now + windowMs,
      repeats: 0,
      claimId,
      ...(occurrence !== undefined ? { occurrence } : {}),
    };
    this.slots.set(id, owned);
    return {
      send: true,
      repeats: carried,
      release: async () => {
        if (this.slots.get(id)?.claimId !== claimId) return;
        owned.windowEnd = 0;
        owned.repeats += carried;
        // Released once: a second release must not put the repeats back twice.
        delete owned.claimId;
      },
    };
  }
}
