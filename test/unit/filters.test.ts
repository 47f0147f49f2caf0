import * as assert from 'assert';
import type { LabelFilter, PruneFilters, UntilFilter } from '../../src/core/model';
import {
  describeFilters,
  engineFilterStrings,
  formatGoDurationHours,
  matchesLabelFilters,
  matchesPruneFilters,
  matchesUntil,
  parseFilterArgs,
  parseGoDuration,
  parseUntil,
  resolveUntil,
  toEngineFilters,
} from '../../src/core/filters';
import { assertInvalid } from './assertInvalid';

const S = 1_000_000_000n;
const M = 60n * S;
const H = 60n * M;
const msToNs = (ms: number): bigint => BigInt(ms) * 1_000_000n;

function withTZ(tz: string, fn: () => void): void {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

function duration(raw: string): UntilFilter {
  const f = parseUntil(raw);
  assert.strictEqual(f.kind, 'duration', raw);
  return f;
}

function timestamp(raw: string, referenceMs?: number): UntilFilter {
  const f = parseUntil(raw, { referenceMs });
  assert.strictEqual(f.kind, 'timestamp', raw);
  return f;
}

describe('filters: until durations (Go time.ParseDuration)', () => {
  const cases: Array<[string, bigint]> = [
    ['10m', 10n * M],
    ['1h30m', 90n * M],
    ['240h', 240n * H],
    ['1.5h', 90n * M],
    ['-1h', -H],
    ['0.5s', S / 2n],
    ['.5s', S / 2n],
    ['1.s', S],
    ['+1h', H],
    ['1ns', 1n],
    ['1us', 1000n],
    ['1\u00b5s', 1000n],
    ['1\u03bcs', 1000n],
    ['100ms', 100_000_000n],
    ['1h1m1s1ms1us1ns', H + M + S + 1_001_001n],
    ['2h45m0.5s', 2n * H + 45n * M + S / 2n],
    // float64 fraction arithmetic as Go: 0.000000000001h = 3.6ns, truncated to 3ns
    ['0.000000000001h', 3n],
    ['1.000000000001h', H + 3n],
    ['0.000000001h', 3600n],
    ['1.1h', 3_960_000_000_000n],
    ['9223372036854775807ns', (1n << 63n) - 1n],
    ['2562047h47m16.854775807s', (1n << 63n) - 1n],
    ['-9223372036854775807ns', -((1n << 63n) - 1n)],
    ['1.000000000000000001s', S],
    ['+0', 0n],
    ['-0', 0n],
    ['0s', 0n],
  ];
  for (const [raw, ns] of cases) {
    it(`${raw} → ${ns}ns, sent to the engine as written`, () => {
      const f = duration(raw);
      assert.strictEqual(f.durationNs, ns);
      assert.strictEqual(f.engineValue, raw);
      assert.strictEqual(f.raw, raw);
    });
  }

  it('parseGoDuration refuses what Go refuses', () => {
    for (const bad of [
      '',
      '1',
      '00',
      '1x',
      'h',
      '.s',
      '-.s',
      '1H',
      '1h 30m',
      '1 h',
      '9223372036854775808ns',
      '2562047h47m16.854775808s',
      '-9223372036854775808ns',
      '1.0000000000000000001s',
      '1d',
      '+',
      '-',
      '.',
    ]) {
      assert.strictEqual(parseGoDuration(bad), undefined, bad);
    }
    assert.strictEqual(parseGoDuration('0'), 0n); // Go accepts it; the engine then ignores that
  });

  it('trims surrounding whitespace', () => {
    const f = duration(' 24h ');
    assert.strictEqual(f.raw, '24h');
    assert.strictEqual(f.engineValue, '24h');
  });
});

describe('filters: until days and weeks (translated for the engine)', () => {
  const cases: Array<[string, string, bigint]> = [
    ['7d', '168h', 168n * H],
    ['2w', '336h', 336n * H],
    ['1d12h', '36h', 36n * H],
    ['1.5d', '36h', 36n * H],
    ['1d30m', '24h30m', 24n * H + 30n * M],
    ['1w1d1h1m1.5s', '193h1m1.5s', 193n * H + M + S + S / 2n],
    ['1d0.000000001s', '24h0m0.000000001s', 24n * H + 1n],
    ['-7d', '-168h', -168n * H],
    ['0d', '0h', 0n],
    ['+1w', '168h', 168n * H],
  ];
  for (const [raw, engineValue, ns] of cases) {
    it(`${raw} → ${engineValue}`, () => {
      const f = duration(raw);
      assert.strictEqual(f.raw, raw);
      assert.strictEqual(f.engineValue, engineValue);
      assert.strictEqual(f.durationNs, ns);
      // the engine reads the translation back to exactly the same duration
      assert.strictEqual(parseGoDuration(f.engineValue), ns);
    });
  }

  it('never emits the bare 0 (the engine would read unix time 0)', () => {
    assert.strictEqual(formatGoDurationHours(0n), '0h');
  });

  it('the extremes survive translation', () => {
    const max = (1n << 63n) - 1n;
    assert.strictEqual(parseGoDuration(formatGoDurationHours(max)), max);
    assert.strictEqual(parseGoDuration(formatGoDurationHours(-max)), -max);
  });

  it('refuses bad day/week values', () => {
    for (const bad of ['7D', 'd', '1dd', '7 d', '100000w', '1d-1h']) {
      assertInvalid(() => parseUntil(bad), `"${bad}"`);
    }
  });
});

describe('filters: resolveUntil (the engine arithmetic)', () => {
  it('duration: now − d, floored to whole seconds', () => {
    const now = 1_700_000_000n * S + 500_000_000n;
    assert.strictEqual(resolveUntil(duration('10m'), now), (1_700_000_000n - 600n) * S);
    assert.strictEqual(resolveUntil(duration('0.5s'), 1_700_000_000n * S + 200_000_000n), 1_699_999_999n * S);
    assert.strictEqual(resolveUntil(duration('-1h'), now), (1_700_000_000n + 3600n) * S);
    assert.strictEqual(resolveUntil(duration('7d'), now), (1_700_000_000n - 7n * 86_400n) * S);
  });

  it('floors (not truncates) before the epoch', () => {
    assert.strictEqual(resolveUntil(duration('0.5s'), 0n), -S);
    assert.strictEqual(resolveUntil(duration('1s'), 0n), -S);
  });

  it('the minimum duration wraps on negation, as Go int64 does', () => {
    const min = -(1n << 63n);
    // (parseUntil refuses −2^63 as old Go does; a filter built elsewhere may still carry it)
    const f: UntilFilter = { raw: 'min', engineValue: 'min', kind: 'duration', durationNs: min };
    const now = 1_700_000_000n * S;
    // now + (−2^63) = −7523372036.854775808s, floored to −7523372037s
    assert.strictEqual(resolveUntil(f, now), -7_523_372_037n * S);
  });

  it('timestamp: the instant itself, with its nanoseconds', () => {
    assert.strictEqual(resolveUntil(timestamp('1700000000.123456789'), 0n), 1_700_000_000_123_456_789n);
  });

  it('matchesUntil: created at the cut-off passes, a nanosecond later does not (Created.After(until))', () => {
    const f = timestamp('1700000000');
    assert.strictEqual(matchesUntil(f, 1_700_000_000n * S, 0n), true);
    assert.strictEqual(matchesUntil(f, 1_700_000_000n * S + 1n, 0n), false);
    assert.strictEqual(matchesUntil(undefined, 1n << 62n, 0n), true);
  });
});

describe('filters: until unix seconds', () => {
  const cases: Array<[string, bigint]> = [
    ['1700000000', 1_700_000_000n * S],
    ['1700000000.123456789', 1_700_000_000_123_456_789n],
    ['1700000000.5', 1_700_000_000n * S + 500_000_000n],
    ['1700000000.05', 1_700_000_000n * S + 50_000_000n],
    ['1700000000.000000001', 1_700_000_000n * S + 1n],
    ['+1700000000', 1_700_000_000n * S],
    ['0', 0n],
    ['00', 0n],
    ['0.0', 0n],
    ['253402300799', 253_402_300_799n * S],
  ];
  for (const [raw, ns] of cases) {
    it(`${raw} → ${ns}ns`, () => {
      const f = timestamp(raw);
      assert.strictEqual(f.instantNs, ns);
      assert.strictEqual(f.engineValue, raw);
    });
  }

  it('the bare 0 is unix time 0, not a zero duration (the engine special-cases it)', () => {
    const f = timestamp('0');
    assert.strictEqual(resolveUntil(f, 1_700_000_000n * S), 0n);
  });

  it('refuses bad unix values', () => {
    for (const bad of ['1700000000.1234567891', '1700000000.', '.5', '-1700000000', '1700000000.+5', '1e9', '99999999999999', '0x10', '1,5']) {
      assertInvalid(() => parseUntil(bad), `"${bad}"`);
    }
  });
});

describe('filters: until date/time with a zone', () => {
  const cases: Array<[string, number, number?]> = [
    ['2024-01-02T15:04:05Z', Date.UTC(2024, 0, 2, 15, 4, 5)],
    ['2024-01-02T15:04:05+02:00', Date.UTC(2024, 0, 2, 13, 4, 5)],
    ['2024-01-02T15:04:05-07:00', Date.UTC(2024, 0, 2, 22, 4, 5)],
    ['2024-01-02T15:04:05.123Z', Date.UTC(2024, 0, 2, 15, 4, 5, 123)],
    ['2024-01-02T15:04:05.5+01:00', Date.UTC(2024, 0, 2, 14, 4, 5, 500)],
    ['2024-01-02T15Z', Date.UTC(2024, 0, 2, 15)],
    ['2024-01-02T15+02:00', Date.UTC(2024, 0, 2, 13)],
    ['2024-01-02T15:04Z', Date.UTC(2024, 0, 2, 15, 4)],
    ['2024-01-02T15:04-01:30', Date.UTC(2024, 0, 2, 16, 34)],
    ['2024-01-02Z', Date.UTC(2024, 0, 2)],
    ['2024-01-02+02:00', Date.UTC(2024, 0, 1, 22)],
    ['2024-01-02-07:00', Date.UTC(2024, 0, 2, 7)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1969-12-31T23:59:59.5Z', -500],
  ];
  for (const [raw, ms] of cases) {
    it(`${raw}`, () => {
      // the zone is explicit, so the local zone must not matter
      for (const tz of ['UTC', 'Asia/Kolkata', 'America/New_York']) {
        withTZ(tz, () => {
          const f = timestamp(raw);
          assert.strictEqual(f.instantNs, msToNs(ms), `${raw} in ${tz}`);
          assert.strictEqual(f.engineValue, raw);
        });
      }
    });
  }

  it('keeps all nine fraction digits', () => {
    assert.strictEqual(timestamp('2024-01-02T15:04:05.123456789+01:00').instantNs, msToNs(Date.UTC(2024, 0, 2, 14, 4, 5)) + 123_456_789n);
  });
});

describe('filters: until local date/time (process zone, the offset in force "now")', () => {
  it('reads zone-less values in the local zone and hands the engine the instant in UTC', () => {
    withTZ('Asia/Kolkata', () => {
      // +05:30
      const cases: Array<[string, number, string]> = [
        ['2024-01-02', Date.UTC(2024, 0, 1, 18, 30), '2024-01-01T18:30:00Z'],
        ['2024-01-02T15', Date.UTC(2024, 0, 2, 9, 30), '2024-01-02T09:30:00Z'],
        ['2024-01-02T5', Date.UTC(2024, 0, 1, 23, 30), '2024-01-01T23:30:00Z'],
        ['2024-01-02T15:04', Date.UTC(2024, 0, 2, 9, 34), '2024-01-02T09:34:00Z'],
        ['2024-01-02T15:04:05', Date.UTC(2024, 0, 2, 9, 34, 5), '2024-01-02T09:34:05Z'],
        ['2024-01-02T15:04:05.5', Date.UTC(2024, 0, 2, 9, 34, 5, 500), '2024-01-02T09:34:05.5Z'],
      ];
      for (const [raw, ms, engineValue] of cases) {
        const f = timestamp(raw);
        assert.strictEqual(f.instantNs, msToNs(ms), raw);
        assert.strictEqual(f.engineValue, engineValue, raw);
        // the translation means the same instant to the engine
        assert.strictEqual(timestamp(f.engineValue).instantNs, f.instantNs);
      }
      assert.strictEqual(timestamp('2024-01-02T15:04:05.123456789').instantNs, msToNs(Date.UTC(2024, 0, 2, 9, 34, 5)) + 123_456_789n);
      assert.strictEqual(timestamp('2024-01-02T15:04:05.123456789').engineValue, '2024-01-02T09:34:05.123456789Z');
    });
    withTZ('UTC', () => {
      assert.strictEqual(timestamp('2024-01-31').instantNs, msToNs(Date.UTC(2024, 0, 31)));
      assert.strictEqual(timestamp('2024-01-31').engineValue, '2024-01-31T00:00:00Z');
    });
  });

  it('uses the UTC offset in force at the reference time, as the engine does (FixedZone(now.Zone()))', () => {
    withTZ('America/New_York', () => {
      const winter = Date.UTC(2024, 0, 15); // EST, −05:00
      const summer = Date.UTC(2024, 6, 15); // EDT, −04:00
      assert.strictEqual(timestamp('2024-07-01', winter).instantNs, msToNs(Date.UTC(2024, 6, 1, 5)));
      assert.strictEqual(timestamp('2024-07-01', summer).instantNs, msToNs(Date.UTC(2024, 6, 1, 4)));
      assert.strictEqual(timestamp('2024-01-01T12:00', summer).instantNs, msToNs(Date.UTC(2024, 0, 1, 16)));
    });
  });

  it('refuses a local date whose instant falls outside years 0000-9999', () => {
    withTZ('Asia/Kolkata', () => assertInvalid(() => parseUntil('0000-01-01'), '"0000-01-01"', 'out of range'));
  });
});

describe('filters: invalid until values', () => {
  it('names the value and lists the accepted forms', () => {
    assertInvalid(
      () => parseUntil('yesterday'),
      'Invalid until value "yesterday": use a duration (10m, 1h30m, 240h, 7d, 2w), unix seconds (1700000000[.nanos]), ' +
        'or a date/time (2024-01-31, 2024-01-31T15:04:05, RFC3339 such as 2024-01-31T15:04:05Z)',
    );
  });

  const bad = [
    '',
    'yesterday',
    '2024-13-01',
    '2024-00-10',
    '2024-02-30',
    '2023-02-29',
    '2024-01-32',
    '2024-1-2',
    '24-01-02',
    '2024-01-02T24:00',
    '2024-01-02T15:60',
    '2024-01-02T15:04:60Z',
    '2024-01-02T123',
    '2024-01-02t15:04:05',
    '2024-01-02T15:04:05z', // Go's Z07:00 takes only an upper-case Z
    '2024-01-02 15:04:05',
    '2024-01-02T15:04:05+0200',
    '2024-01-02T15:04:05+02',
    '2024-01-02T15:04:05+24:00',
    '2024-01-02T15:04:05+02:60',
    '2024-01-02T15:04:05.Z',
    '2024-01-02T15:04:05.',
    '2024-01-02T15:04:05.1234567890Z',
    '2024-01-02T15:04:05,5Z',
    '2024-01-02T15:04:05ZZ',
    '2024-01-02.5',
    '2024-01-02T15:04.5',
    'T15:04:05Z',
    '1h30',
  ];
  for (const raw of bad) {
    it(JSON.stringify(raw), () => assertInvalid(() => parseUntil(raw), `Invalid until value "${raw.trim()}"`));
  }
});

describe('filters: label matching (moby matchLabels / MatchKVList)', () => {
  const pos = (key: string, value?: string): LabelFilter => (value === undefined ? { negate: false, key } : { negate: false, key, value });
  const neg = (key: string, value?: string): LabelFilter => (value === undefined ? { negate: true, key } : { negate: true, key, value });

  it('no filters: everything passes', () => {
    assert.strictEqual(matchesLabelFilters([], {}), true);
    assert.strictEqual(matchesLabelFilters([], { a: '1' }), true);
    assert.strictEqual(matchesLabelFilters([], null), true);
  });

  it('an image without config (labels null) skips label filters entirely', () => {
    assert.strictEqual(matchesLabelFilters([pos('a')], null), true);
    assert.strictEqual(matchesLabelFilters([neg('a')], null), true);
  });

  it('label=key: the key must be present, whatever its value', () => {
    assert.strictEqual(matchesLabelFilters([pos('a')], { a: 'x' }), true);
    assert.strictEqual(matchesLabelFilters([pos('a')], { a: '' }), true);
    assert.strictEqual(matchesLabelFilters([pos('a')], { b: 'x' }), false);
    assert.strictEqual(matchesLabelFilters([pos('a')], {}), false);
  });

  it('label=key=value: exact value', () => {
    assert.strictEqual(matchesLabelFilters([pos('a', '1')], { a: '1' }), true);
    assert.strictEqual(matchesLabelFilters([pos('a', '1')], { a: '2' }), false);
    assert.strictEqual(matchesLabelFilters([pos('a', '')], { a: '' }), true);
    assert.strictEqual(matchesLabelFilters([pos('a', '')], { a: 'x' }), false);
    assert.strictEqual(matchesLabelFilters([pos('a', '1')], { A: '1' }), false);
  });

  it('several label= filters: all must match', () => {
    const f = [pos('a'), pos('b', '2')];
    assert.strictEqual(matchesLabelFilters(f, { a: '1', b: '2' }), true);
    assert.strictEqual(matchesLabelFilters(f, { a: '1', b: '3' }), false);
    assert.strictEqual(matchesLabelFilters(f, { a: '1' }), false);
  });

  it('label!=key: an image with the key is excluded, without it or without labels passes', () => {
    assert.strictEqual(matchesLabelFilters([neg('keep')], { keep: 'yes' }), false);
    assert.strictEqual(matchesLabelFilters([neg('keep')], { other: 'x' }), true);
    assert.strictEqual(matchesLabelFilters([neg('keep')], {}), true);
    assert.strictEqual(matchesLabelFilters([neg('keep', 'yes')], { keep: 'yes' }), false);
    assert.strictEqual(matchesLabelFilters([neg('keep', 'yes')], { keep: 'no' }), true);
  });

  it('several label!= filters: excluded only when ALL of them match (the engine real behaviour)', () => {
    const f = [neg('a'), neg('b')];
    assert.strictEqual(matchesLabelFilters(f, { a: '1' }), true, 'only a: still pruned');
    assert.strictEqual(matchesLabelFilters(f, { b: '1' }), true, 'only b: still pruned');
    assert.strictEqual(matchesLabelFilters(f, { a: '1', b: '1' }), false, 'a and b: kept');
    assert.strictEqual(matchesLabelFilters(f, {}), true);
    const g = [neg('a', '1'), neg('b')];
    assert.strictEqual(matchesLabelFilters(g, { a: '2', b: 'x' }), true);
    assert.strictEqual(matchesLabelFilters(g, { a: '1', b: 'x' }), false);
  });

  it('label= and label!= together', () => {
    const f = [pos('team', 'web'), neg('keep')];
    assert.strictEqual(matchesLabelFilters(f, { team: 'web' }), true);
    assert.strictEqual(matchesLabelFilters(f, { team: 'web', keep: '' }), false);
    assert.strictEqual(matchesLabelFilters(f, { team: 'db' }), false);
    assert.strictEqual(matchesLabelFilters(f, {}), false);
  });

  it('does not see inherited properties as labels', () => {
    assert.strictEqual(matchesLabelFilters([pos('constructor')], { a: '1' }), false);
    assert.strictEqual(matchesLabelFilters([pos('toString')], { a: '1' }), false);
    assert.strictEqual(matchesLabelFilters([neg('hasOwnProperty')], { a: '1' }), true);
  });

  it('matchesPruneFilters: until first, then labels only when the image has a config', () => {
    const filters = parseFilterArgs(['until=1700000000', 'label=a']);
    assert.strictEqual(matchesPruneFilters(filters, { createdNs: 1_600_000_000n * S, labels: { a: '1' } }, 0n), true);
    assert.strictEqual(matchesPruneFilters(filters, { createdNs: 1_600_000_000n * S, labels: {} }, 0n), false);
    assert.strictEqual(matchesPruneFilters(filters, { createdNs: 1_600_000_000n * S, labels: null }, 0n), true);
    assert.strictEqual(matchesPruneFilters(filters, { createdNs: 1_800_000_000n * S, labels: null }, 0n), false);
  });
});

describe('filters: parseFilterArgs', () => {
  it('parses until and label forms', () => {
    const f = parseFilterArgs(['until=24h', 'label=a', 'label=b=c', 'label!=keep', 'label!=env=prod']);
    assert.strictEqual(f.until?.kind, 'duration');
    assert.strictEqual(f.until?.durationNs, 24n * H);
    assert.deepStrictEqual(f.labels, [
      { negate: false, key: 'a' },
      { negate: false, key: 'b', value: 'c' },
      { negate: true, key: 'keep' },
      { negate: true, key: 'env', value: 'prod' },
    ]);
  });

  it('splits at the first = only (label=a=b=c is key a, value b=c), keeps an empty value', () => {
    assert.deepStrictEqual(parseFilterArgs(['label=a=b=c']).labels, [{ negate: false, key: 'a', value: 'b=c' }]);
    assert.deepStrictEqual(parseFilterArgs(['label=a=']).labels, [{ negate: false, key: 'a', value: '' }]);
    assert.deepStrictEqual(parseFilterArgs(['label!=a=']).labels, [{ negate: true, key: 'a', value: '' }]);
  });

  it('trims and lower-cases the name, trims the value, like the Docker CLI', () => {
    const f = parseFilterArgs([' LABEL = a=b ', 'Until= 7d ']);
    assert.deepStrictEqual(f.labels, [{ negate: false, key: 'a', value: 'b' }]);
    assert.strictEqual(f.until?.raw, '7d');
    assert.strictEqual(f.until?.engineValue, '168h');
  });

  it('ignores empty arguments and collapses duplicate label filters', () => {
    const f = parseFilterArgs(['', 'label=a', 'label=a', 'label!=a']);
    assert.deepStrictEqual(f.labels, [
      { negate: false, key: 'a' },
      { negate: true, key: 'a' },
    ]);
    assert.strictEqual(f.until, undefined);
    assert.deepStrictEqual(parseFilterArgs([]), { labels: [] });
  });

  it('refuses an empty label key', () => {
    assertInvalid(() => parseFilterArgs(['label=']), 'label key is empty', '"label="');
    assertInvalid(() => parseFilterArgs(['label==b']), 'label key is empty');
    assertInvalid(() => parseFilterArgs(['label!=']), 'label key is empty', '"label!="');
    assertInvalid(() => parseFilterArgs(['label!==x']), 'label key is empty');
  });

  it('refuses a second until', () => {
    assertInvalid(() => parseFilterArgs(['until=24h', 'until=48h']), 'Only one until', 'until=24h', 'until=48h');
    assertInvalid(() => parseFilterArgs(['until=24h', 'until=24h']), 'Only one until');
  });

  it('refuses unknown names, naming the accepted ones', () => {
    assertInvalid(() => parseFilterArgs(['before=abc']), 'Unknown filter "before"', 'until', 'label', 'label!');
    assertInvalid(() => parseFilterArgs(['label!!=a']), 'Unknown filter "label!!"');
    assertInvalid(() => parseFilterArgs(['=x']), 'Unknown filter ""');
  });

  it('refuses dangling (the mode decides it)', () => {
    assertInvalid(() => parseFilterArgs(['dangling=true']), '"dangling=true"', 'mode', 'until, label, label!, unused-for, source and source!');
    assertInvalid(() => parseFilterArgs(['dangling=false']), 'mode');
  });

  it('refuses an argument without =', () => {
    assertInvalid(() => parseFilterArgs(['until']), 'Invalid filter "until"', 'name=value');
    assertInvalid(() => parseFilterArgs(['label!']), 'name=value');
  });

  it('reports a bad until value with the accepted forms', () => {
    assertInvalid(() => parseFilterArgs(['until=yesterday']), 'Invalid until value "yesterday"', '7d');
    assertInvalid(() => parseFilterArgs(['until=']), 'Invalid until value ""');
  });

  it('passes the reference time on to local dates', () => {
    withTZ('America/New_York', () => {
      const f = parseFilterArgs(['until=2024-07-01'], { referenceMs: Date.UTC(2024, 0, 15) });
      assert.strictEqual(f.until?.instantNs, msToNs(Date.UTC(2024, 6, 1, 5)));
      assert.strictEqual(f.until?.engineValue, '2024-07-01T05:00:00Z');
    });
  });
});

describe('filters: toEngineFilters, engineFilterStrings, describeFilters', () => {
  it('dangling names the mode; nothing else without filters', () => {
    const none: PruneFilters = { labels: [] };
    assert.deepStrictEqual(toEngineFilters('dangling', none), { dangling: ['true'] });
    assert.deepStrictEqual(toEngineFilters('all', none), { dangling: ['false'] });
  });

  it('until carries the engine value, labels their key[=value] forms', () => {
    const f = parseFilterArgs(['until=7d', 'label=a', 'label=b=c', 'label!=keep', 'label!=env=prod']);
    assert.deepStrictEqual(toEngineFilters('all', f), {
      dangling: ['false'],
      until: ['168h'],
      label: ['a', 'b=c'],
      'label!': ['keep', 'env=prod'],
    });
    assert.deepStrictEqual(engineFilterStrings(f), ['until=168h', 'label=a', 'label=b=c', 'label!=keep', 'label!=env=prod']);
    assert.strictEqual(describeFilters(f), 'until=7d, label=a, label=b=c, label!=keep, label!=env=prod');
  });

  it('timestamps pass through raw, local ones as UTC instants', () => {
    assert.deepStrictEqual(toEngineFilters('dangling', parseFilterArgs(['until=2024-01-02T15:04:05Z'])), {
      dangling: ['true'],
      until: ['2024-01-02T15:04:05Z'],
    });
    withTZ('UTC', () => {
      const f = parseFilterArgs(['until=2024-01-31']);
      assert.deepStrictEqual(toEngineFilters('dangling', f).until, ['2024-01-31T00:00:00Z']);
      assert.strictEqual(describeFilters(f), 'until=2024-01-31');
    });
  });

  it('describeFilters', () => {
    assert.strictEqual(describeFilters(parseFilterArgs(['until=7d', 'label!=keep'])), 'until=7d, label!=keep');
    assert.strictEqual(describeFilters({ labels: [] }), 'none');
    assert.strictEqual(describeFilters(parseFilterArgs(['label=a='])), 'label=a=');
  });

  it('the engine filters are JSON-serialisable as the API takes them', () => {
    const f = parseFilterArgs(['until=1h', 'label=a']);
    assert.strictEqual(JSON.stringify(toEngineFilters('all', f)), '{"dangling":["false"],"until":["1h"],"label":["a"]}');
  });
});
