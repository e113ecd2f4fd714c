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
