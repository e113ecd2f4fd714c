import { SNAPSHOT_FILES, type SnapshotFiles } from './files.js';
import { JsonReader } from './read-json.js';
import type { ApiKey } from './types.js';

const BEDROCK = 'bedrock.amazonaws.com';

/**
 * `service-credentials.json` (optional): the output of `aws iam
 * list-service-specific-credentials --all-users --service-name
 * bedrock.amazonaws.com`, i.e. the users' long-term Bedrock API keys.
 */
export function parseApiKeys(files: SnapshotFiles): ApiKey[] {
  if (files.serviceCredentials === undefined) return [];
  const root = new JsonReader(SNAPSHOT_FILES.serviceCredentials, '$', files.serviceCredentials).object();
  return root
    .get('ServiceSpecificCredentials')
    .list()
    .map((c) => ({
      userName: c.get('UserName').string(),
      id: c.get('ServiceSpecificCredentialId').string(),
      service: c.get('ServiceName').optionalString() ?? BEDROCK,
      status: c.get('Status').string(),
      created: c.get('CreateDate').optionalString(),
      expires: c.get('ExpirationDate').optionalString(),
      alias: c.get('ServiceCredentialAlias').optionalString(),
    }))
    .filter((k) => k.service === BEDROCK);
}
