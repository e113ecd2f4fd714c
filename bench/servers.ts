import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { round1, timeAsync } from './timing.js';

/**
 * The servers a live bench starts (moto is a child process): stopped at the
 * end, and also on Ctrl-C or a kill, which would otherwise end the process
 * without running `finally` and leave moto behind.
 */
export class BenchServers {
  private readonly stoppers: (() => Promise<void>)[] = [];
  private interrupted: Promise<never> | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.interrupted = this.stopAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  constructor() {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /** Stops `server` with the others, in `close`. */
  add<T extends { stop(): Promise<void> }>(server: T): T {
    this.stoppers.push(() => server.stop());
    return server;
  }

  async close(): Promise<void> {
    if (this.interrupted) await this.interrupted;
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    await this.stopAll();
  }

  private async stopAll(): Promise<void> {
    await Promise.allSettled(this.stoppers.splice(0).map((stop) => stop()));
  }
}

/** Median of sequential sts:GetCallerIdentity round trips through the proxy (the SDK's environment config): the floor of one call. */
export async function roundTrip(n = 20): Promise<number> {
  const sts = new STSClient({ maxAttempts: 1 });
  const timing = await timeAsync(async () => void (await sts.send(new GetCallerIdentityCommand({}))), n, 3);
  sts.destroy();
  return round1(timing.medianMs);
}
