import type { RouteKind } from '../bedrock/routes.js';
import type { Feature } from '../policy-file/types.js';

/** A request that shows whether IAM lets a principal use a feature. */
export interface Probe {
  readonly action: string;
  readonly resource: string;
}

export interface FeatureSpec {
  readonly feature: Feature;
  readonly title: string;
  /**
   * Actions a guard deny names when the feature is not granted (IAM wildcards).
   * Using a guardrail (`ApplyGuardrail`) is never denied: it only makes calls safer.
   */
  readonly denyActions: readonly string[];
  /** Requests that reveal the feature, per Region (resource templates: `{p}` partition, `{r}` Region, `{a}` account). */
  readonly probes: readonly Probe[];
}

/**
 * Features with IAM actions of their own, checked per principal rather than
 * per model (action names from the Service Authorization Reference for
 * Amazon Bedrock). Model routes (invoke, batch, provisioned, API keys) are
 * judged per model by the route expansion instead.
 */
export const ACCOUNT_FEATURES: readonly FeatureSpec[] = [
  {
    feature: 'agents',
    title: 'Agents',
    denyActions: [
      'bedrock:CreateAgent*',
      'bedrock:UpdateAgent*',
      'bedrock:DeleteAgent*',
      'bedrock:PrepareAgent',
      'bedrock:InvokeAgent',
      'bedrock:InvokeInlineAgent',
      'bedrock:AssociateAgent*',
      'bedrock:DisassociateAgent*',
    ],
    probes: [
      { action: 'bedrock:CreateAgent', resource: '*' },
      { action: 'bedrock:InvokeAgent', resource: 'arn:{p}:bedrock:{r}:{a}:agent-alias/BGPROBE0001/BGPROBE0002' },
      { action: 'bedrock:InvokeInlineAgent', resource: '*' },
    ],
  },
  {
    feature: 'guardrails',
    title: 'Guardrail management',
    denyActions: ['bedrock:CreateGuardrail*', 'bedrock:UpdateGuardrail', 'bedrock:DeleteGuardrail'],
    probes: [
      { action: 'bedrock:CreateGuardrail', resource: '*' },
      { action: 'bedrock:UpdateGuardrail', resource: 'arn:{p}:bedrock:{r}:{a}:guardrail/bgprobe0001' },
    ],
  },
  {
    feature: 'knowledge-bases',
    title: 'Knowledge bases',
    denyActions: [
      'bedrock:*KnowledgeBase*',
      'bedrock:Retrieve',
      'bedrock:RetrieveAndGenerate',
      'bedrock:AgenticRetrieveStream',
      'bedrock:*DataSource*',
      'bedrock:StartIngestionJob',
    ],
    probes: [
      { action: 'bedrock:CreateKnowledgeBase', resource: '*' },
      { action: 'bedrock:Retrieve', resource: 'arn:{p}:bedrock:{r}:{a}:knowledge-base/BGPROBE001' },
    ],
  },
  {
    feature: 'customization',
    title: 'Model customization (fine-tuning)',
    denyActions: [
      'bedrock:CreateModelCustomizationJob',
      'bedrock:CreateCustomModel',
      'bedrock:CreateCustomModelDeployment',
    ],
    probes: [
      { action: 'bedrock:CreateModelCustomizationJob', resource: 'arn:{p}:bedrock:{r}:{a}:custom-model/*' },
      { action: 'bedrock:CreateCustomModel', resource: '*' },
    ],
  },
  {
    feature: 'custom-model-import',
    title: 'Custom model import',
    denyActions: ['bedrock:CreateModelImportJob'],
    probes: [{ action: 'bedrock:CreateModelImportJob', resource: '*' }],
  },
  {
    feature: 'provisioned-throughput',
    title: 'Buying provisioned throughput',
    denyActions: ['bedrock:CreateProvisionedModelThroughput', 'bedrock:UpdateProvisionedModelThroughput'],
    probes: [{ action: 'bedrock:CreateProvisionedModelThroughput', resource: '*' }],
  },
];

/** Fill a probe's resource template. */
export function probeResource(template: string, partition: string, region: string, account: string): string {
  return template.replace('{p}', partition).replace('{r}', region).replace('{a}', account);
}

/**
 * The feature a model route needs. API-key routes also need `api-keys` or
 * `long-term-api-keys` on top of `invoke` (see `routeGranted`).
 */
export function routeFeature(kind: RouteKind): Feature {
  switch (kind) {
    case 'batch':
      return 'batch';
    case 'provisioned':
      return 'provisioned-throughput';
    default:
      return 'invoke';
  }
}

/** The API-key feature a route also needs, if any. */
export function routeKeyFeature(kind: RouteKind): Feature | undefined {
  if (kind === 'api-key' || kind === 'mantle-api-key') return 'api-keys';
  if (kind === 'api-key-long-term') return 'long-term-api-keys';
  return undefined;
}

/** The IAM setting that names which Bedrock service a service-specific credential is for. */
export const BEDROCK_CREDENTIAL_SERVICE = 'bedrock.amazonaws.com';
