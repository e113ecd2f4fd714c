import {
  type BedrockClient,
  ListFoundationModelsCommand,
  paginateListInferenceProfiles,
  paginateListProvisionedModelThroughputs,
} from '@aws-sdk/client-bedrock';
import { errorName, isAccessDenied, withoutMetadata } from './sdk-output.js';

type PerRegion = Record<string, unknown>;

export interface CatalogueCapture {
  readonly foundationModels: PerRegion;
  readonly inferenceProfiles: PerRegion;
  readonly provisionedModels: PerRegion;
  readonly warnings: readonly string[];
}

/**
 * `foundation-models.json`, `inference-profiles.json` and
 * `provisioned-models.json`, per Region, as the AWS CLI prints them. A Region
 * the caller may not read is left out with a warning; the plan then knows no
 * catalogue there.
 */
export async function readCatalogue(
  bedrock: (region: string) => BedrockClient,
  regions: readonly string[],
): Promise<CatalogueCapture> {
  const out: CatalogueCapture = { foundationModels: {}, inferenceProfiles: {}, provisionedModels: {}, warnings: [] };
  const warnings: string[] = [];
  await Promise.all(
    regions.map(async (region) => {
      const client = bedrock(region);
      try {
        const [models, profiles, provisioned] = await Promise.all([
          client.send(new ListFoundationModelsCommand({})),
          readProfiles(client),
          readProvisioned(client),
        ]);
        out.foundationModels[region] = withoutMetadata(models);
        out.inferenceProfiles[region] = { inferenceProfileSummaries: profiles };
        out.provisionedModels[region] = { provisionedModelSummaries: provisioned };
      } catch (error) {
        if (!isAccessDenied(error)) throw error;
        warnings.push(`the Bedrock catalogue of ${region} could not be read (${errorName(error)}); it is left out`);
      }
    }),
  );
  return { ...out, warnings: warnings.sort() };
}

/** Both kinds: without a type filter the API lists system-defined profiles only. */
async function readProfiles(client: BedrockClient): Promise<unknown[]> {
  const all: unknown[] = [];
  for (const typeEquals of ['SYSTEM_DEFINED', 'APPLICATION'] as const) {
    for await (const page of paginateListInferenceProfiles({ client }, { typeEquals })) {
      all.push(...(page.inferenceProfileSummaries ?? []));
    }
  }
  return all;
}

async function readProvisioned(client: BedrockClient): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const page of paginateListProvisionedModelThroughputs({ client }, {})) {
    all.push(...(page.provisionedModelSummaries ?? []));
  }
  return all;
}
