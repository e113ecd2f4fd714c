import type { CompiledStatement } from '../../iam/policy.js';
import type { StatementRef } from '../../iam/types.js';
import type { Principal } from '../../snapshot/types.js';
import { makeFinding, type Rule } from '../rule.js';
import type { Finding } from '../types.js';

const BEDROCK_SERVICE = 'bedrock.amazonaws.com';

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Lower-cased condition keys a statement sets, whatever the operator. */
function conditionKeys(raw: Readonly<Record<string, unknown>>): Set<string> {
  const keys = new Set<string>();
  const condition = raw.Condition;
  if (typeof condition !== 'object' || condition === null) return keys;
  for (const block of Object.values(condition)) {
    if (typeof block === 'object' && block !== null) for (const k of Object.keys(block)) keys.add(k.toLowerCase());
  }
  return keys;
}

/** Trust statements that let the Bedrock service assume the role. */
function bedrockTrust(principal: Principal): { index: number; raw: Record<string, unknown> }[] {
  const doc = principal.trustPolicy as { Statement?: unknown } | undefined;
  return asList(doc?.Statement)
    .map((raw, index) => ({ index, raw: raw as Record<string, unknown> }))
    .filter(({ raw }) => {
      if (raw.Effect !== 'Allow') return false;
      const p = raw.Principal as { Service?: unknown } | undefined;
      return asList(p?.Service).includes(BEDROCK_SERVICE);
    });
}

function identityStatements(principal: Principal, action: string, test: (s: CompiledStatement) => boolean) {
  const refs: StatementRef[] = [];
  for (const policy of principal.policies.identity) {
    for (const s of policy.statementsFor(action)) {
      if (s.effect === 'Allow' && test(s))
        refs.push({ policy: policy.source, index: s.index, sid: s.sid, effect: s.effect });
    }
  }
  return refs;
}

export const customModelImportRole: Rule = {
  id: 'custom-model-import-role',
  title: 'Bedrock service roles open to confused deputies or broad data access',
  severity: 'high',
  containable: false,
  docs:
    'Roles that bedrock.amazonaws.com may assume (custom model import, batch and customization jobs) must be ' +
    'trusted with aws:SourceAccount and aws:SourceArn conditions, read S3 only with an s3:ResourceAccount ' +
    'condition (so a look-alike bucket in another account is refused), and decrypt only the KMS keys they need. ' +
    'Each gap is one finding; the fix is in the role, so the rule alerts.',
  example: {
    violating: 'Role BedrockImportLoose trusts bedrock.amazonaws.com with no condition and may call kms:Decrypt on *.',
    compliant:
      'The trust policy has StringEquals aws:SourceAccount and ArnLike aws:SourceArn for model-import-job/*; S3 reads carry s3:ResourceAccount; kms:Decrypt names one key.',
  },
  check(ctx) {
    const findings: Finding[] = [];
    for (const principal of ctx.snapshot.principals) {
      if (principal.kind !== 'role') continue;
      const trust = bedrockTrust(principal);
      if (trust.length === 0) continue;
      const grants = ctx.desired.grantsFor(principal);
      const add = (
        route: string,
        message: string,
        evidence: StatementRef[],
        resources: string[],
        remediation: string,
      ) =>
        findings.push(makeFinding(ctx, this, principal, grants, { route, message, evidence, resources, remediation }));

      for (const { index, raw } of trust) {
        const keys = conditionKeys(raw);
        const missing = ['aws:SourceAccount', 'aws:SourceArn'].filter((k) => !keys.has(k.toLowerCase()));
        if (missing.length === 0) continue;
        const sid = typeof raw.Sid === 'string' ? raw.Sid : undefined;
        add(
          'trust-policy',
          `lets ${BEDROCK_SERVICE} assume it without ${missing.join(' or ')}`,
          [
            {
              policy: { layer: 'identity', name: 'trust policy', id: principal.arn, kind: 'inline' },
              index,
              sid,
              effect: 'Allow',
            },
          ],
          [principal.arn],
          `Add "StringEquals": {"aws:SourceAccount": "${ctx.snapshot.account.accountId}"} and "ArnLike": {"aws:SourceArn": "arn:${ctx.snapshot.account.partition}:bedrock:<region>:${ctx.snapshot.account.accountId}:model-import-job/*"} to the trust statement.`,
        );
      }
      const s3 = identityStatements(principal, 's3:getobject', (s) => !conditionKeys(s.raw).has('s3:resourceaccount'));
      if (s3.length > 0) {
        add(
          's3-read',
          `may read S3 objects without an s3:ResourceAccount condition`,
          s3,
          [principal.arn],
          'Add "StringEquals": {"s3:ResourceAccount": "<bucket owner account>"} to the S3 read statements so that only the intended account\'s buckets are read.',
        );
      }
      const kms = identityStatements(principal, 'kms:decrypt', (s) => asList(s.raw.Resource).includes('*'));
      if (kms.length > 0) {
        add(
          'kms-decrypt',
          `may call kms:Decrypt on every key (Resource "*")`,
          kms,
          [principal.arn],
          'Name the KMS key ARNs that encrypt the model artifacts instead of "*", and add kms:ViaService for s3.<region>.amazonaws.com.',
        );
      }
    }
    return findings;
  },
};
