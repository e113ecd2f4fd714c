/** Requests sent to AWS, per `Service.Operation`, retries included: what `bench` and `apply --json` report. */
export class CallStats {
  private readonly counts = new Map<string, number>();

  add(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Sorted by count, largest first. */
  byOperation(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
}
