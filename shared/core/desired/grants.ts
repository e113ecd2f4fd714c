import { globMatcher } from '../policy-file/glob.js';
import type { Feature, PolicyFile, Team } from '../policy-file/types.js';
import type { Principal } from '../snapshot/types.js';
import { compileSelectors, type PrincipalTest } from './select.js';

/** One grant of a team: these model globs, in these Regions, through these features. */
export interface Grant {
  readonly team: string;
  readonly models: readonly string[];
  readonly regions: ReadonlySet<string>;
  readonly features: ReadonlySet<Feature>;
}

/** What the policy file grants one principal. Principals with equal `key`s get equal grants. */
export interface Grants {
  readonly key: string;
  readonly teams: readonly string[];
  /** Set when the principal is reported but never planned against. */
  readonly exemptReason: string | undefined;
  readonly grants: readonly Grant[];
  /** Whether any team grants `feature` on `modelId` in `region`. */
  allows(feature: Feature, modelId: string, region: string): boolean;
  /** Whether any team grants the model in the Region, through any feature. */
  grantsModel(modelId: string, region: string): boolean;
  /** Whether any team grants `feature` on `modelId` in some Region. */
  allowsAnywhere(feature: Feature, modelId: string): boolean;
  /** Whether any team grants the feature at all (API keys and account-wide features are per principal). */
  hasFeature(feature: Feature): boolean;
}

interface CompiledTeam {
  readonly team: Team;
  readonly matches: PrincipalTest;
  readonly grant: Grant;
  readonly modelTests: readonly ((id: string) => boolean)[];
}

/**
 * The policy file compiled for fast questions: which teams a principal
 * belongs to, and whether a model, Region and feature is granted. Answers are
 * memoised per distinct set of teams, so a sweep over many principals asks
 * each question once per combination of teams.
 */
export class DesiredState {
  private readonly teams: readonly CompiledTeam[];
  private readonly exempt: readonly ((arn: string) => boolean)[];
  private readonly byKey = new Map<string, Grants>();

  /**
   * `protectedPrincipals`: principal ARN → why the guard must leave it alone
   * (the identity running the guard), on top of the file's `exempt` list.
   */
  constructor(
    readonly policy: PolicyFile,
    private readonly protectedPrincipals: ReadonlyMap<string, string> = new Map(),
  ) {
    this.teams = policy.teams.map((team) => {
      const models = team.models.flatMap((set) => policy.models[set] ?? []);
      return {
        team,
        matches: compileSelectors(team.principals),
        grant: { team: team.name, models, regions: new Set(team.regions), features: new Set(team.features) },
        modelTests: models.map(globMatcher),
      };
    });
    this.exempt = policy.exempt.map(globMatcher);
  }

  grantsFor(principal: Principal): Grants {
    const matched = this.teams.filter((t) => t.matches(principal));
    const exemptReason = principal.serviceLinked
      ? 'service-linked role (managed by AWS; SCPs and the guard leave it alone)'
      : (this.protectedPrincipals.get(principal.arn) ??
        (this.exempt.some((m) => m(principal.arn)) ? 'listed under exempt in the policy file' : undefined));
    const key = `${exemptReason ?? ''}|${matched.map((t) => t.team.name).join(',')}`;
    let grants = this.byKey.get(key);
    if (!grants) {
      grants = compileGrants(key, matched, exemptReason);
      this.byKey.set(key, grants);
    }
    return grants;
  }
}

function compileGrants(key: string, teams: readonly CompiledTeam[], exemptReason: string | undefined): Grants {
  const memo = new Map<string, boolean>();
  const modelMatches = (t: CompiledTeam, modelId: string) => t.modelTests.some((m) => m(modelId));
  const allows = (feature: Feature | undefined, modelId: string, region: string): boolean => {
    const k = `${feature ?? ''}|${modelId}|${region}`;
    let hit = memo.get(k);
    if (hit === undefined) {
      hit = teams.some(
        (t) =>
          (feature === undefined || t.grant.features.has(feature)) &&
          t.grant.regions.has(region) &&
          modelMatches(t, modelId),
      );
      memo.set(k, hit);
    }
    return hit;
  };
  const features = new Set(teams.flatMap((t) => [...t.grant.features]));
  const anywhere = (feature: Feature, modelId: string) =>
    teams.some((t) => t.grant.features.has(feature) && t.grant.regions.size > 0 && modelMatches(t, modelId));
  return {
    key,
    teams: teams.map((t) => t.team.name),
    exemptReason,
    grants: teams.map((t) => t.grant),
    allows: (feature, modelId, region) => allows(feature, modelId, region),
    grantsModel: (modelId, region) => allows(undefined, modelId, region),
    allowsAnywhere: anywhere,
    hasFeature: (feature) => features.has(feature),
  };
}

/**
 * Models × Regions, when every grant covers the same Regions (the usual
 * policy file): an allow-list can then name each model once and the Regions
 * once, instead of every model in every Region.
 */
export function productOf(granted: readonly Grant[]): { models: string[]; regions: string[] } | undefined {
  const first = granted[0];
  if (!first) return undefined;
  const key = (g: Grant) => [...g.regions].sort().join(',');
  if (!granted.every((g) => key(g) === key(first))) return undefined;
  return { models: [...new Set(granted.flatMap((g) => g.models))].sort(), regions: [...first.regions].sort() };
}
