import { createHash } from 'node:crypto';
import type { Plan } from '../core/plan/types.js';
import type { Severity } from '../core/policy-file/types.js';
import { QUOTA_FINDING } from '../core/plan/quotas.js';
import { RULES } from '../core/reconcile/rules/index.js';
import type { Finding } from '../core/reconcile/types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning ranks alerts by this number (0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

const fingerprint = (f: Finding) =>
  createHash('sha256')
    .update([f.rule, f.principal, f.model, f.region, f.route, f.resources.join(',')].join('|'))
    .digest('hex')
    .slice(0, 32);

/**
 * The plan as SARIF 2.1.0 for CI code scanning. Results point at the policy
 * file (the line of the rule when the file sets it) and name the principal as
 * a logical location; exempt and contained findings are carried as suppressed.
 */
export function planSarif(plan: Plan, version: string) {
  const rules = [...RULES, QUOTA_FINDING].map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.docs },
    help: { text: r.docs },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[r.severity], tags: ['security', 'bedrock', 'iam'] },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = plan.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule) ?? 0,
    level: LEVEL[f.severity],
    message: { text: `${f.message}. Fix: ${f.remediation}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: plan.policyFile },
          region: { startLine: f.position?.line ?? 1, startColumn: f.position?.col ?? 1 },
        },
        logicalLocations: [{ fullyQualifiedName: f.principal, kind: 'resource' }],
      },
    ],
    partialFingerprints: { 'bedrockGuardFinding/v1': fingerprint(f) },
    ...(f.status === 'open'
      ? {}
      : {
          suppressions: [
            {
              kind: 'external',
              justification:
                f.status === 'exempt'
                  ? `exempt: ${f.exemptReason ?? 'listed under exempt'}`
                  : "contained by the guard's deny",
            },
          ],
        }),
    properties: {
      severity: f.severity,
      status: f.status,
      mode: f.mode,
      principal: f.principal,
      ...(f.model ? { model: f.model } : {}),
      ...(f.region ? { region: f.region } : {}),
      ...(f.route ? { route: f.route } : {}),
      resources: f.resources,
    },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'bedrock-guard', version, semanticVersion: version, rules } },
        automationDetails: { id: `bedrock-guard/plan/${plan.account}/` },
        results,
        properties: { account: plan.account, partition: plan.partition, drift: plan.drift },
      },
    ],
  };
}
