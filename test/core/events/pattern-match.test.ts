import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../../shared/core/events/pattern-match.js';

/** The example event of the EventBridge user guide and the Event Ruler README. */
const EC2 = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** `matchesPattern` for one leaf under `detail.f`. */
const leaf = (matchers: unknown[], value: unknown) =>
  matchesPattern({ detail: { f: matchers } }, value === undefined ? { detail: {} } : { detail: { f: value } });

describe('matchesPattern: exact values', () => {
  it('matches the documentation example on source, detail-type, resources and a nested field', () => {
    const pattern = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matchesPattern(pattern, EC2)).toBe(true);
    expect(matchesPattern({ ...pattern, detail: { state: ['stopped'] } }, EC2)).toBe(false);
    expect(matchesPattern({ source: ['aws.ec2'] }, EC2)).toBe(true);
    expect(matchesPattern({ source: ['aws.s3'] }, EC2)).toBe(false);
  });

  it('is case-sensitive and typed: "5" is not 5, true is not "true", "" is not null', () => {
    expect(leaf(['Running'], 'running')).toBe(false);
    expect(leaf(['5'], 5)).toBe(false);
    expect(leaf([5], 5)).toBe(true);
    expect(leaf([true], true)).toBe(true);
    expect(leaf(['true'], true)).toBe(false);
    expect(leaf([''], '')).toBe(true);
    expect(leaf([''], null)).toBe(false);
  });

  it('matches null only with the literal null (the null-values example)', () => {
    const event = { detail: { eventVersion: '', responseElements: null } };
    expect(matchesPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: [null] } }, event)).toBe(false);
  });

  it('ignores fields the pattern does not name, and needs every field it names', () => {
    expect(matchesPattern({ detail: { state: ['running'] } }, EC2)).toBe(true);
    expect(matchesPattern({ detail: { state: ['running'], nope: ['x'] } }, EC2)).toBe(false);
  });

  it('matches an array in the event when any element matches (non-empty intersection)', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern({ resources: ['arn:other'] }, event)).toBe(false);
    expect(leaf(['b'], [['a'], ['b']])).toBe(true);
  });

  it('matches objects inside arrays element by element, never combining two elements', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matchesPattern({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matchesPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
    expect(
      matchesPattern(
        { employees: { firstName: ['Peter'] } },
        { employees: [[event.employees[0]], [event.employees[2]]] },
      ),
    ).toBe(true);
  });

  it('does not treat an object as a leaf value', () => {
    expect(leaf(['x'], { a: 'x' })).toBe(false);
    expect(matchesPattern({ detail: { f: { a: ['x'] } } }, { detail: { f: 'x' } })).toBe(false);
  });
});

describe('matchesPattern: string operators', () => {
  it('prefix matches strings only', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, EC2)).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-03' }] }, EC2)).toBe(false);
    expect(leaf([{ prefix: '5' }], 5)).toBe(false);
    expect(leaf([{ prefix: 'AccessDenied' }], 'AccessDeniedException')).toBe(true);
    expect(leaf([{ prefix: 'AccessDenied' }], 'accessdenied')).toBe(false);
  });

  it('prefix and suffix take an equals-ignore-case form', () => {
    expect(leaf([{ prefix: { 'equals-ignore-case': 'EventB' } }], 'eventbridge')).toBe(true);
    expect(leaf([{ prefix: { 'equals-ignore-case': 'EventB' } }], 'EVENTBRIDGE')).toBe(true);
    expect(leaf([{ prefix: { 'equals-ignore-case': 'EventB' } }], 'bridge')).toBe(false);
    expect(leaf([{ suffix: { 'equals-ignore-case': '.png' } }], 'photo.PNG')).toBe(true);
  });

  it('suffix matches the end of a string', () => {
    expect(matchesPattern({ source: [{ suffix: 'ec2' }] }, EC2)).toBe(true);
    expect(leaf([{ suffix: '.png' }], 'image.png')).toBe(true);
    expect(leaf([{ suffix: '.png' }], 'image.PNG')).toBe(false);
  });

  it('equals-ignore-case compares whole strings', () => {
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, EC2)).toBe(true);
    expect(leaf([{ 'equals-ignore-case': 'alice' }], 'Alice')).toBe(true);
    expect(leaf([{ 'equals-ignore-case': 'alice' }], 'Alice2')).toBe(false);
  });

  it('wildcard: * matches any run, \\* a star, \\\\ a backslash; other characters are literal', () => {
    expect(leaf([{ wildcard: 'Simple*Service' }], 'SimpleQueueService')).toBe(true);
    expect(leaf([{ wildcard: 'Simple*Service' }], 'SimpleService')).toBe(true);
    expect(leaf([{ wildcard: 'Simple*Service' }], 'SimpleQueueServices')).toBe(false);
    expect(leaf([{ wildcard: 'dir/*.png' }], 'dir/a.png')).toBe(true);
    expect(leaf([{ wildcard: 'dir/*.png' }], 'dir/apng')).toBe(false);
    expect(leaf([{ wildcard: 'a\\*b' }], 'a*b')).toBe(true);
    expect(leaf([{ wildcard: 'a\\*b' }], 'axb')).toBe(false);
    expect(leaf([{ wildcard: 'a\\\\b' }], 'a\\b')).toBe(true);
    expect(leaf([{ wildcard: 'a**b' }], 'ab')).toBe(false);
  });
});

describe('matchesPattern: anything-but', () => {
  it('excludes a value, a list of strings, a list of numbers', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, EC2)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'running' }] } }, EC2)).toBe(false);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, EC2)).toBe(true);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, EC2)).toBe(true);
    expect(matchesPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 301.8] }] } }, EC2)).toBe(false);
  });

  it('excludes by prefix, suffix, equals-ignore-case and wildcard', () => {
    expect(leaf([{ 'anything-but': { prefix: 'us-' } }], 'eu-west-1')).toBe(true);
    expect(leaf([{ 'anything-but': { prefix: 'us-' } }], 'us-east-1')).toBe(false);
    expect(leaf([{ 'anything-but': { suffix: '.png' } }], 'a.jpg')).toBe(true);
    expect(leaf([{ 'anything-but': { suffix: '.png' } }], 'a.png')).toBe(false);
    expect(leaf([{ 'anything-but': { 'equals-ignore-case': 'initializing' } }], 'INITIALIZING')).toBe(false);
    expect(leaf([{ 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }], 'C')).toBe(true);
    expect(leaf([{ 'anything-but': { wildcard: '*/lib/*' } }], '/usr/lib/x')).toBe(false);
    expect(leaf([{ 'anything-but': { wildcard: '*/lib/*' } }], '/usr/bin/x')).toBe(true);
  });

  it('needs the field to be present', () => {
    expect(leaf([{ 'anything-but': 'x' }], undefined)).toBe(false);
    expect(leaf([{ 'anything-but': 'x' }], [])).toBe(false);
  });

  it('on an array matches when any element is not excluded', () => {
    expect(leaf([{ 'anything-but': 'a' }], ['a', 'b'])).toBe(true);
    expect(leaf([{ 'anything-but': ['a', 'b'] }], ['a', 'b'])).toBe(false);
  });
});

describe('matchesPattern: exists', () => {
  const event = { detail: { s: 'x', n: null, o: { c1: 100 }, e: [], a: ['x'], zero: 0, f: false } };
  const exists = (field: string, value: boolean) => matchesPattern({ detail: { [field]: [{ exists: value }] } }, event);

  it('true for a present leaf, including null, 0 and false', () => {
    for (const field of ['s', 'n', 'a', 'zero', 'f']) {
      expect(exists(field, true), field).toBe(true);
      expect(exists(field, false), field).toBe(false);
    }
  });

  it('false for an absent field, an object (not a leaf) and an empty array', () => {
    for (const field of ['missing', 'o', 'e']) {
      expect(exists(field, false), field).toBe(true);
      expect(exists(field, true), field).toBe(false);
    }
  });

  it('works under a missing parent: exists false matches, exists true does not', () => {
    expect(matchesPattern({ detail: { c: [{ exists: false }] } }, { source: 'x' })).toBe(true);
    expect(matchesPattern({ detail: { c: [{ exists: true }] } }, { source: 'x' })).toBe(false);
  });

  it('matches the Event Ruler README example where c-count is an object', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(matchesPattern(pattern, { detail: { state: ['initializing', 'running'] } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { state: 'running', 'c-count': { c1: 100 } } })).toBe(true);
    expect(matchesPattern(pattern, EC2)).toBe(false);
  });

  it('combines with other matchers in one array (OR)', () => {
    expect(leaf([{ exists: false }, 'x'], 'x')).toBe(true);
    expect(leaf([{ exists: false }, 'x'], 'y')).toBe(false);
    expect(leaf([{ exists: false }, 'x'], undefined)).toBe(true);
  });
});

describe('matchesPattern: numeric and cidr', () => {
  it('matches the documentation numeric example', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matchesPattern(pattern, EC2)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, EC2)).toBe(false);
    expect(matchesPattern({ detail: { 'c-count': [{ numeric: ['>=', 5] }] } }, EC2)).toBe(true);
  });

  it('only matches JSON numbers', () => {
    expect(leaf([{ numeric: ['>', 0] }], '5')).toBe(false);
    expect(leaf([{ numeric: ['>', 0] }], [-1, 7])).toBe(true);
  });

  it('matches IPv4 and IPv6 addresses inside a block', () => {
    expect(matchesPattern({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, EC2)).toBe(true);
    expect(matchesPattern({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, EC2)).toBe(false);
    expect(leaf([{ cidr: '10.0.0.0/8' }], '10.255.1.2')).toBe(true);
    expect(leaf([{ cidr: '0.0.0.0/0' }], '203.0.113.7')).toBe(true);
    expect(leaf([{ cidr: '2001:db8::/32' }], '2001:db8:85a3::8a2e:370:7334')).toBe(true);
    expect(leaf([{ cidr: '2001:db8::/32' }], '2001:db9::1')).toBe(false);
    expect(leaf([{ cidr: '2001:db8::/32' }], '10.0.0.1')).toBe(false);
    expect(leaf([{ cidr: '10.0.0.0/8' }], 'AWS Internal')).toBe(false);
  });
});

describe('matchesPattern: $or', () => {
  const event = { source: 'aws.cloudwatch', metricName: 'CPUUtilization', namespace: 'AWS/EC2', scope: 'x' };

  it('needs one branch, and every other field', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/ES'] }],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern({ ...pattern, source: ['aws.ec2'] }, event)).toBe(false);
    expect(matchesPattern({ $or: [{ metricName: ['x'] }, { namespace: ['y'] }] }, event)).toBe(false);
  });

  it('nests: an $or branch holding an AND and another $or', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Service'] },
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(false);
    expect(matchesPattern(pattern, { ...event, metricType: 'MetricType', spaceId: 1000 })).toBe(true);
    expect(matchesPattern(pattern, { ...event, metricType: 'MetricType', spaceId: 1001 })).toBe(false);
  });

  it('works inside a nested object', () => {
    const pattern = { detail: { $or: [{ eventName: ['A'] }, { eventName: ['B'], errorCode: [{ exists: false }] }] } };
    expect(matchesPattern(pattern, { detail: { eventName: 'B' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { eventName: 'B', errorCode: 'X' } })).toBe(false);
  });
});

describe('matchesPattern: malformed input never throws', () => {
  it('answers false for a pattern or an event that is not an object, and for bad operators', () => {
    expect(matchesPattern(null, EC2)).toBe(false);
    expect(matchesPattern(['x'], EC2)).toBe(false);
    expect(matchesPattern({ source: ['aws.ec2'] }, null)).toBe(false);
    expect(matchesPattern({ source: ['aws.ec2'] }, 'aws.ec2')).toBe(false);
    expect(matchesPattern({ source: 'aws.ec2' }, EC2)).toBe(false);
    expect(leaf([{ prefx: 'a' }], 'abc')).toBe(false);
    expect(leaf([{ prefix: 'a', suffix: 'c' }], 'abc')).toBe(false);
    expect(leaf([{ numeric: ['>', 'a'] }], 5)).toBe(false);
    expect(leaf([{ cidr: '10.0.0.0' }], '10.0.0.1')).toBe(false);
    expect(matchesPattern({ constructor: ['x'] }, {})).toBe(false);
  });
});

describe('validatePattern', () => {
  it('accepts every operator in its documented forms', () => {
    const pattern = {
      source: ['aws.ec2', 5, true, null],
      detail: {
        a: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'x' } }, { suffix: 'x' }],
        b: [{ suffix: { 'equals-ignore-case': 'x' } }, { 'equals-ignore-case': 'x' }, { wildcard: 'a*b\\*' }],
        c: [{ 'anything-but': 'x' }, { 'anything-but': 5 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }],
        d: [
          { 'anything-but': { prefix: 'x' } },
          { 'anything-but': { suffix: 'x' } },
          { 'anything-but': { wildcard: '*x' } },
        ],
        e: [{ exists: true }, { numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 3] }, { cidr: '10.0.0.0/8' }],
        $or: [{ f: ['x'] }, { g: { h: [{ exists: false }] } }],
      },
    };
    expect(validatePattern(pattern)).toEqual([]);
  });

  it('names the path of each problem', () => {
    expect(
      validatePattern({
        source: 'aws.ec2',
        detail: {
          errorCode: [{ prefx: 'AccessDenied' }],
          eventName: [],
          state: [{ exists: 'yes' }],
          n: [{ numeric: ['<', 5, '>', 1] }],
          w: [{ wildcard: 'a**' }],
          ab: [{ 'anything-but': ['x', 1] }, { 'anything-but': { contains: 'x' } }],
          two: [{ prefix: 'a', suffix: 'b' }],
          obj: [{}],
          arr: [['x']],
          ip: [{ cidr: '300.0.0.0/8' }],
          $or: [{ a: ['x'] }],
        },
      }),
    ).toEqual([
      'source: a leaf must be an array of values, e.g. ["aws.ec2"]',
      'detail.errorCode[0]: "prefx" is not an EventBridge operator',
      'detail.eventName: an empty array matches nothing',
      'detail.state[0]: "exists" takes true or false',
      'detail.n[0]: "numeric" takes ["<op>", n] or a range [">"|">=", n, "<"|"<=", m]',
      'detail.w[0]: "wildcard" takes a string without consecutive "*" (escape "*" and "\\" with "\\")',
      'detail.ab[0]: "anything-but" takes a string, a number, a non-empty list of them, or one of {prefix|suffix|equals-ignore-case|wildcard}',
      'detail.ab[1]: "anything-but" takes a string, a number, a non-empty list of them, or one of {prefix|suffix|equals-ignore-case|wildcard}',
      'detail.two[0]: an operator object holds exactly one operator, found 2',
      'detail.obj[0]: an operator object holds exactly one operator, found 0',
      'detail.arr[0]: must be a string, number, boolean, null or an operator object',
      'detail.ip[0]: "cidr" takes an IPv4 or IPv6 CIDR block',
      'detail.$or: must be an array of two or more pattern objects',
    ]);
  });

  it('rejects a pattern that is not an object, and empty objects', () => {
    expect(validatePattern(['x'])).toEqual(['(pattern): must be a JSON object']);
    expect(validatePattern({})).toEqual(['(pattern): an empty object matches nothing']);
    expect(validatePattern({ detail: {} })).toEqual(['detail: an empty object matches nothing']);
  });
});
