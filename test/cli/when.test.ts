import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { parseWhen } from '../../shared/cli/when.js';

const NOW = new Date('2024-05-10T12:00:00.000Z');
const when = (text: string) => parseWhen(text, '--since', NOW).toISOString();

describe('parseWhen', () => {
  it('takes durations back from now in minutes, hours and days', () => {
    expect(when('30m')).toBe('2024-05-10T11:30:00.000Z');
    expect(when('24h')).toBe('2024-05-09T12:00:00.000Z');
    expect(when('7d')).toBe('2024-05-03T12:00:00.000Z');
    expect(when('0d')).toBe(NOW.toISOString());
  });

  it('takes a date as midnight UTC', () => {
    expect(when('2024-05-01')).toBe('2024-05-01T00:00:00.000Z');
    expect(when('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
  });

  it('takes a date-time, UTC unless it has an offset', () => {
    expect(when('2024-05-01T08:30')).toBe('2024-05-01T08:30:00.000Z');
    expect(when('2024-05-01T08:30:15Z')).toBe('2024-05-01T08:30:15.000Z');
    expect(when('2024-05-01T08:30:15.250Z')).toBe('2024-05-01T08:30:15.250Z');
    expect(when('2024-05-01T08:30+02:00')).toBe('2024-05-01T06:30:00.000Z');
    expect(when('2024-05-01T23:30-05:30')).toBe('2024-05-02T05:00:00.000Z');
  });

  it.each([
    '',
    '7',
    'd',
    '7w',
    '-7d',
    '7 d',
    '1.5h',
    'yesterday',
    '2024-5-1',
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '2024-05-01T25:00',
    '2024-05-01T12:60',
    '2024-05-01 12:00',
    '2024-05-01T12:00+2',
  ])('refuses %j with the accepted forms', (text) => {
    let error: unknown;
    try {
      parseWhen(text, '--since', NOW);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`--since "${text}" is not a duration, date or date-time`);
    expect((error as UsageError).hint).toMatch(/30m, 24h, 7d.*2024-05-01.*2024-05-01T12:00Z/);
  });

  it('names the flag it parses', () => {
    expect(() => parseWhen('soon', '--until', NOW)).toThrow('--until "soon"');
  });
});
