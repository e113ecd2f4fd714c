import { describe, expect, it } from 'vitest';
import { MemoryFirstUseGate } from '../../shared/service/first-use.js';

const HOUR = 3_600_000;

/** A gate with a one-hour window and a clock the test moves. */
function gate(start = 10 * HOUR) {
  const clock = { now: start };
  return { gate: new MemoryFirstUseGate(HOUR, () => clock.now), clock };
}

describe('MemoryFirstUseGate', () => {
  it('lets the first use of a key through, and not the next ones in the same window', async () => {
    const { gate: g, clock } = gate();
    expect(await g.first('role/AppBackend#deepseek.r1-v1:0')).toBe(true);
    expect(await g.first('role/AppBackend#deepseek.r1-v1:0')).toBe(false);
    clock.now += HOUR - 1;
    expect(await g.first('role/AppBackend#deepseek.r1-v1:0')).toBe(false);
  });

  it('keeps keys apart', async () => {
    const { gate: g } = gate();
    expect(await g.first('role/AppBackend#deepseek.r1-v1:0')).toBe(true);
    expect(await g.first('role/AppBackend#amazon.nova-pro-v1:0')).toBe(true);
    expect(await g.first('role/Playground#deepseek.r1-v1:0')).toBe(true);
    expect(await g.first('role/Playground#deepseek.r1-v1:0')).toBe(false);
  });

  it('lets the key through again in the next window', async () => {
    const { gate: g, clock } = gate();
    expect(await g.first('k')).toBe(true);
    clock.now += HOUR;
    expect(await g.first('k')).toBe(true);
    expect(await g.first('k')).toBe(false);
    clock.now += 5 * HOUR;
    expect(await g.first('k')).toBe(true);
  });

  it('counts windows on the clock, not from the first use', async () => {
    // First use a minute before the window ends: the next window starts a minute later.
    const { gate: g, clock } = gate(11 * HOUR - 60_000);
    expect(await g.first('k')).toBe(true);
    clock.now += 60_000;
    expect(await g.first('k')).toBe(true);
  });

  it('uses the real clock by default', async () => {
    const g = new MemoryFirstUseGate(HOUR);
    expect(await g.first('k')).toBe(true);
    expect(await g.first('k')).toBe(false);
  });
});
