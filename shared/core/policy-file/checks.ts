import { didYouMean } from '../text/did-you-mean.js';
import { globMatcher, isGlob } from './glob.js';
import { formatPath, lineOf } from './issues.js';
import { FORMATS, PARTITIONS, type Partition, type StringFormat } from './schema.js';
import type { PolicyPath, YamlSourceMap } from './source-map.js';
import type { PolicyFileIssue } from './types.js';

export interface CheckOptions {
  /** Model ids that exist (a snapshot's catalogue); model globs that match none of them are warnings. */
  readonly knownModelIds?: readonly string[];
  /** The Regions an account is captured in; approved Regions outside them are warnings. */
  readonly knownRegions?: readonly string[];
}

type Raw = Record<string, unknown>;
type Level = PolicyFileIssue['level'];

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const oneOrMany = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const valid = (format: StringFormat, value: unknown): value is string =>
  typeof value === 'string' && format.pattern.test(value);

/** The Regions of a partition: `us-gov-*` in aws-us-gov, `cn-*` in aws-cn, any other in aws. */
export function regionInPartition(region: string, partition: Partition): boolean {
  const gov = region.startsWith('us-gov-');
  const cn = region.startsWith('cn-');
  if (partition === 'aws-us-gov') return gov;
  if (partition === 'aws-cn') return cn;
  return !gov && !cn;
}

/**
 * The rules that need the whole file: names that must resolve (model sets,
 * teams, Regions), uniqueness, Regions and ARNs that must belong to the
 * partition, and the warnings (unused model sets, models the catalogue doesn't
 * know, no team at all). It reads the raw YAML value defensively, so it reports
 * alongside the schema's issues instead of after them; values the schema
 * rejects are skipped here, so nothing is reported twice.
 */
export function checkPolicyFile(raw: Raw, map: YamlSourceMap, options: CheckOptions = {}): PolicyFileIssue[] {
  const partition = raw.partition === undefined ? 'aws' : PARTITIONS.find((p) => p === raw.partition);
  const c = new Checker(map, partition);
  const models = isRecord(raw.models) ? raw.models : {};
  const regions = checkRegions(c, raw.regions, options.knownRegions);
  listOf(raw.exempt).forEach((arn, i) => c.arnPartition(['exempt', i], arn));
  checkModels(c, models, options.knownModelIds);
  const teams = checkTeams(c, raw.teams, models, regions);
  for (const name of Object.keys(models)) {
    if (teams.usedSets.has(name) || !valid(FORMATS.setName, name)) continue;
    c.report('warning', ['models', name], `model set "${name}" is granted to no team`, {
      hint: "Add it to a team's models, or remove it.",
      onKey: true,
    });
  }
  checkBudgets(c, raw.budgets, models, teams);
  if (isRecord(raw.notify) && isRecord(raw.notify.sns)) {
    c.topicPartition(['notify', 'sns', 'topic'], raw.notify.sns.topic);
  }
  return c.issues;
}

/** Collects issues with their positions, and the checks several sections share. */
class Checker {
  readonly issues: PolicyFileIssue[] = [];

  constructor(
    readonly map: YamlSourceMap,
    /** Undefined when the file's partition is itself invalid: partition checks are then skipped. */
    private readonly partition: Partition | undefined,
  ) {}

  report(level: Level, path: PolicyPath, message: string, options: { hint?: string; onKey?: boolean } = {}): void {
    this.issues.push({
      level,
      message,
      path: formatPath(path),
      position: options.onKey ? this.map.keyPositionOf(path) : this.map.positionOf(path),
      ...(options.hint === undefined ? {} : { hint: options.hint }),
    });
  }

  unknownName(path: PolicyPath, what: string, name: string, known: readonly string[]): void {
    const guess = didYouMean(name, known);
    const hint = guess
      ? `did you mean "${guess}"?`
      : known.length > 0
        ? `defined ${what}s: ${known.join(', ')}`
        : `no ${what} is defined`;
    this.report('error', path, `unknown ${what} "${name}"`, { hint });
  }

  /** Reports every repeat of a string in a list, naming where it first appears. */
  unique(path: PolicyPath, values: readonly unknown[], what: string, level: Level = 'error'): void {
    const first = new Map<string, number>();
    values.forEach((value, i) => {
      if (typeof value !== 'string') return;
      const seen = first.get(value);
      if (seen === undefined) {
        first.set(value, i);
        return;
      }
      const where = lineOf(this.map.positionOf([...path, seen]));
      this.report(level, [...path, i], `${what} "${value}" is listed twice (first at ${where})`);
    });
  }

  regionPartition(path: PolicyPath, region: string): void {
    if (!this.partition || regionInPartition(region, this.partition)) return;
    const expected = {
      aws: 'Regions of the aws partition are neither us-gov-* nor cn-*',
      'aws-us-gov': 'Regions of aws-us-gov start with us-gov-',
      'aws-cn': 'Regions of aws-cn start with cn-',
    }[this.partition];
    this.report('error', path, `Region "${region}" is not in partition ${this.partition}`, {
      hint: `${expected}; set partition: to the partition of the accounts, or remove the Region.`,
    });
  }

  arnPartition(path: PolicyPath, arn: unknown): void {
    if (!this.partition || !valid(FORMATS.arnGlob, arn)) return;
    const written = arn.split(':')[1] ?? '';
    if (globMatcher(written)(this.partition)) return;
    this.report('error', path, `ARN partition "${written}" does not match the file's partition ${this.partition}`, {
      hint: `write arn:${this.partition}:… (or arn:*:…)`,
    });
  }

  topicPartition(path: PolicyPath, topic: unknown): void {
    if (!this.partition || !valid(FORMATS.snsTopic, topic)) return;
    const written = topic.split(':')[1];
    if (written === this.partition) return;
    this.report('error', path, `SNS topic is in partition ${written}, not the file's partition ${this.partition}`);
  }
}

/** Returns the well-formed approved Regions, or undefined when `regions` isn't a list. */
function checkRegions(c: Checker, value: unknown, known: readonly string[] | undefined): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  value.forEach((region, i) => {
    if (!valid(FORMATS.region, region)) return;
    c.regionPartition(['regions', i], region);
    if (!known || known.length === 0 || known.includes(region)) return;
    const guess = didYouMean(region, known);
    c.report(
      'warning',
      ['regions', i],
      `Region "${region}" is not one the snapshot's account is captured in (${known.join(', ')})`,
      { hint: guess ? `did you mean "${guess}"?` : 'Nothing in that Region can be judged; check account.json.' },
    );
  });
  c.unique(['regions'], value, 'Region');
  return value.filter((r): r is string => valid(FORMATS.region, r));
}

function checkModels(c: Checker, models: Raw, known: readonly string[] | undefined): void {
  for (const [name, globs] of Object.entries(models)) {
    const list = listOf(globs);
    c.unique(['models', name], list, 'model', 'warning');
    if (!known || known.length === 0) continue;
    list.forEach((glob, i) => {
      if (!valid(FORMATS.modelGlob, glob) || known.some(globMatcher(glob))) return;
      const guess = isGlob(glob) ? undefined : didYouMean(glob, known);
      c.report(
        'warning',
        ['models', name, i],
        `${isGlob(glob) ? 'glob' : 'model'} "${glob}" matches no model in the catalogue`,
        {
          hint: guess
            ? `did you mean "${guess}"?`
            : 'List the model ids with `aws bedrock list-foundation-models --query "modelSummaries[].modelId"`.',
        },
      );
    });
  }
}

interface TeamsSeen {
  /** Every team name, in file order. */
  readonly names: ReadonlySet<string>;
  /** Team name → the model sets it is granted. */
  readonly granted: ReadonlyMap<string, ReadonlySet<string>>;
  /** Every model-set name some team refers to, resolved or not. */
  readonly usedSets: ReadonlySet<string>;
}

function checkTeams(c: Checker, value: unknown, models: Raw, regions: readonly string[] | undefined): TeamsSeen {
  const granted = new Map<string, Set<string>>();
  const usedSets = new Set<string>();
  const firstIndex = new Map<string, number>();
  if (Array.isArray(value) && value.length === 0) {
    c.report('warning', ['teams'], 'no team: every Bedrock access is unapproved', {
      hint: 'Add a team with the principals that may use Bedrock and the model sets they may use.',
    });
  }
  listOf(value).forEach((team, t) => {
    if (!isRecord(team)) return;
    const at = (...rest: (string | number)[]): PolicyPath => ['teams', t, ...rest];
    const name = typeof team.name === 'string' && team.name !== '' ? team.name : undefined;
    if (name !== undefined) {
      const first = firstIndex.get(name);
      if (first === undefined) firstIndex.set(name, t);
      else {
        const where = lineOf(c.map.positionOf(['teams', first]));
        c.report('error', at('name'), `team "${name}" is defined twice (first at ${where})`, {
          hint: 'Give each team a unique name, or merge the two.',
        });
      }
    }

    for (const set of oneOrMany(team.models)) if (typeof set === 'string') usedSets.add(set);
    const sets = listOf(team.models);
    sets.forEach((set, i) => {
      if (!valid(FORMATS.setName, set)) return;
      if (name !== undefined) granted.set(name, (granted.get(name) ?? new Set()).add(set));
      if (!Object.hasOwn(models, set)) c.unknownName(at('models', i), 'model set', set, Object.keys(models));
    });
    c.unique(at('models'), sets, 'model set', 'warning');
    c.unique(at('features'), listOf(team.features), 'feature');

    const teamRegions = listOf(team.regions);
    if (regions) {
      teamRegions.forEach((region, i) => {
        if (!valid(FORMATS.region, region) || regions.includes(region)) return;
        c.report('error', at('regions', i), `Region "${region}" is not in the file's regions (${regions.join(', ')})`, {
          hint: 'A team can only narrow the top-level regions: add it there, or remove it here.',
        });
      });
    }
    c.unique(at('regions'), teamRegions, 'Region');

    const principals = team.principals;
    oneOrMany(principals).forEach((selector, s) => {
      const base = Array.isArray(principals) ? at('principals', s) : at('principals');
      if (typeof selector === 'string') return c.arnPartition(base, selector);
      if (!isRecord(selector)) return;
      const arns = selector.arns;
      oneOrMany(arns).forEach((arn, i) =>
        c.arnPartition(Array.isArray(arns) ? [...base, 'arns', i] : [...base, 'arns'], arn),
      );
    });
    if (isRecord(team.notify)) c.topicPartition(at('notify', 'sns'), team.notify.sns);
  });
  return { names: new Set(firstIndex.keys()), granted, usedSets };
}

function checkBudgets(c: Checker, value: unknown, models: Raw, teams: TeamsSeen): void {
  listOf(value).forEach((budget, b) => {
    if (!isRecord(budget)) return;
    const team = typeof budget.team === 'string' && budget.team !== '' ? budget.team : undefined;
    const known = team !== undefined && teams.names.has(team);
    if (team !== undefined && !known) c.unknownName(['budgets', b, 'team'], 'team', team, [...teams.names]);
    listOf(budget.models).forEach((set, i) => {
      if (!valid(FORMATS.setName, set)) return;
      const path = ['budgets', b, 'models', i];
      if (!Object.hasOwn(models, set)) return c.unknownName(path, 'model set', set, Object.keys(models));
      if (!known || teams.granted.get(team)?.has(set)) return;
      c.report('warning', path, `team "${team}" is not granted model set "${set}", so this budget never counts it`, {
        hint: `add "${set}" to the team's models, or remove it from the budget`,
      });
    });
  });
}
