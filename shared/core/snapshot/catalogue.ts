import { parseArn } from '../iam/arn.js';
import { SNAPSHOT_FILES, type SnapshotFiles } from './files.js';
import { JsonReader } from './read-json.js';
import type { AccountInfo, FoundationModel, InferenceProfile, ProvisionedModel } from './types.js';

/**
 * A Bedrock list output, either one call's output or `{ "<region>": output }`
 * per Region, flattened into its summaries with the Region each belongs to.
 */
function perRegion(file: string, raw: unknown, listKey: string): { region: string | undefined; item: JsonReader }[] {
  if (raw === undefined) return [];
  const r = new JsonReader(file, '$', raw).object();
  if (r.has(listKey))
    return r
      .get(listKey)
      .list()
      .map((item) => ({ region: undefined, item }));
  return r.entries().flatMap(([region, output]) => {
    // A Region without the list would read as an empty catalogue there, and routes through it would go unchecked.
    if (!output.object().has(listKey)) output.get(listKey).fail(`expected "${listKey}" for ${region}`);
    return output
      .get(listKey)
      .list()
      .map((item) => ({ region, item }));
  });
}

function regionOf(arnReader: JsonReader, fallback: string | undefined): string {
  const arn = arnReader.string();
  const parsed = parseArn(arn);
  if (!parsed) arnReader.fail(`"${arn}" is not an ARN`);
  return parsed.region || fallback || '';
}

export function parseCatalogue(files: SnapshotFiles, account: AccountInfo) {
  const foundationModels: FoundationModel[] = perRegion(
    SNAPSHOT_FILES.foundationModels,
    files.foundationModels,
    'modelSummaries',
  ).map(({ region, item }) => ({
    region: region ?? regionOf(item.get('modelArn'), account.regions[0]),
    modelId: item.get('modelId').string(),
    modelArn: item.get('modelArn').string(),
    providerName: item.get('providerName').optionalString(),
    modelName: item.get('modelName').optionalString(),
    inferenceTypes: item
      .get('inferenceTypesSupported')
      .list()
      .map((t) => t.string()),
  }));

  const inferenceProfiles: InferenceProfile[] = perRegion(
    SNAPSHOT_FILES.inferenceProfiles,
    files.inferenceProfiles,
    'inferenceProfileSummaries',
  ).map(({ region, item }) => {
    const written = item.get('type').optionalString() ?? 'SYSTEM_DEFINED';
    const type =
      written === 'SYSTEM_DEFINED' || written === 'APPLICATION'
        ? written
        : item
            .get('type')
            .fail(`unknown inference profile type "${written}"`, 'Expected SYSTEM_DEFINED or APPLICATION.');
    return {
      region: region ?? regionOf(item.get('inferenceProfileArn'), account.regions[0]),
      id: item.get('inferenceProfileId').string(),
      arn: item.get('inferenceProfileArn').string(),
      name: item.get('inferenceProfileName').optionalString(),
      type,
      modelArns: item
        .get('models')
        .list()
        .map((m) => m.get('modelArn').string()),
    };
  });

  const provisionedModels: ProvisionedModel[] = perRegion(
    SNAPSHOT_FILES.provisionedModels,
    files.provisionedModels,
    'provisionedModelSummaries',
  ).map(({ region, item }) => ({
    region: region ?? regionOf(item.get('provisionedModelArn'), account.regions[0]),
    arn: item.get('provisionedModelArn').string(),
    name: item.get('provisionedModelName').optionalString(),
    modelArn: item.get('modelArn').string(),
    foundationModelArn: item.get('foundationModelArn').optionalString(),
  }));

  return { foundationModels, inferenceProfiles, provisionedModels };
}
