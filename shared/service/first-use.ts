/** Lets one alert through per key and window: "the first successful invoke of an unapproved model". */
export interface FirstUseGate {
  /** True the first time `key` is seen in the current window. */
  first(key: string): Promise<boolean>;
}

/** The same, per process: offline runs and the CLI. */
export class MemoryFirstUseGate implements FirstUseGate {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async first(key: string): Promise<boolean> {
    const window = Math.floor(this.now() / this.windowMs);
    if (this.seen.get(key) === window) return false;
    this.seen.set(key, window);
    return true;
  }
}

/**
 * When the account first used each model: a third-party model's first call
 * starts its AWS Marketplace subscription, and a denial in the minutes after
 * is that subscription settling, not IAM.
 */
export interface ModelFirstUse {
  /** The first time `model` was seen; `at` is recorded when it is the first. */
  firstUse(model: string, at: string): Promise<string>;
}

/** The same, per process: offline runs and the CLI. */
export class MemoryModelFirstUse implements ModelFirstUse {
  private readonly seen = new Map<string, string>();

  async firstUse(model: string, at: string): Promise<string> {
    const known = this.seen.get(model);
    if (known !== undefined) return known;
    this.seen.set(model, at);
    return at;
  }
}
