import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * A loopback stand-in for Amazon Bedrock's control-plane catalogue, which moto does not implement. It
 * speaks Bedrock's REST-JSON wire format as `@aws-sdk/client-bedrock` 3.x serializes and deserializes
 * it (paths, query names and timestamp formats are taken from the SDK's schemas), so tests exercise
 * the real SDK client, its serializers, error parsing and paginators; only the service is stood in.
 *
 * The catalogue is the per-Region JSON the AWS CLI writes into a snapshot folder
 * (`{ "us-east-1": { "modelSummaries": [...] }, ... }`); the Region of a request comes from its
 * SigV4 credential scope, and a Region without an entry answers like a Region with nothing in it.
 */
export interface BedrockCatalogue {
  foundationModels?: Record<string, { modelSummaries: unknown[] }>;
  inferenceProfiles?: Record<string, { inferenceProfileSummaries: unknown[] }>;
  provisionedModels?: Record<string, { provisionedModelSummaries: unknown[] }>;
}

export interface BedrockServer {
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: Array<{ method: string; path: string; region: string }>;
  /** Serve another catalogue from now on (e.g. once the account it belongs to exists). */
  setCatalogue(catalogue: BedrockCatalogue): void;
  stop(): Promise<void>;
}

type Summary = Record<string, unknown>;

class BedrockError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startBedrockServer(
  initial: BedrockCatalogue,
  options: { pageSize?: number } = {},
): Promise<BedrockServer> {
  const pageSize = options.pageSize ?? 2; // small, so that paginators need several pages
  const requests: BedrockServer['requests'] = [];
  let catalogue = initial;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const region = regionOf(req);
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, region });
    try {
      send(res, 200, route(req.method ?? '', url, region));
    } catch (caught) {
      const error =
        caught instanceof BedrockError ? caught : new BedrockError(500, 'InternalServerException', String(caught));
      // REST-JSON errors: the SDK reads the code from `x-amzn-errortype` first, then the body.
      send(res, error.status, { message: error.message }, { 'x-amzn-errortype': error.code });
    }
  });

  function route(method: string, url: URL, region: string): unknown {
    const q = url.searchParams;
    // Path labels are percent-encoded (an ARN's `:` and `/` included): split first, then decode.
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const [resource, identifier, ...rest] = segments;
    if (method === 'GET' && rest.length === 0) {
      if (resource === 'foundation-models' && identifier === undefined) {
        const summaries = (catalogue.foundationModels?.[region]?.modelSummaries ?? []) as Summary[];
        // ListFoundationModels is not paginated.
        return {
          modelSummaries: summaries
            .filter((m) => matches(q.get('byProvider'), m.providerName, (a, b) => a.toLowerCase() === b.toLowerCase()))
            .filter((m) => includes(q.get('byInferenceType'), m.inferenceTypesSupported))
            .filter((m) => includes(q.get('byOutputModality'), m.outputModalities))
            .filter((m) => includes(q.get('byCustomizationType'), m.customizationsSupported))
            .map((m) => toWire(m)),
        };
      }
      if (resource === 'inference-profiles') {
        const summaries = (catalogue.inferenceProfiles?.[region]?.inferenceProfileSummaries ?? []) as Summary[];
        if (identifier !== undefined) {
          // GetInferenceProfile takes the profile's id or its ARN, whatever its type.
          const found = summaries.find(
            (p) => p.inferenceProfileId === identifier || p.inferenceProfileArn === identifier,
          );
          if (!found)
            throw new BedrockError(404, 'ResourceNotFoundException', `Inference profile ${identifier} not found`);
          return toWire(found);
        }
        // The SDK sends `typeEquals` as `type`; without it Bedrock lists only the SYSTEM_DEFINED
        // profiles (aws/aws-cli#9728). A summary without `type` is SYSTEM_DEFINED, as the snapshot reader assumes.
        const type = q.get('type') ?? 'SYSTEM_DEFINED';
        const ofType = summaries.filter((p) => (p.type ?? 'SYSTEM_DEFINED') === type);
        const page = paginate(ofType, q, pageSize);
        return { inferenceProfileSummaries: page.items.map((m) => toWire(m)), nextToken: page.nextToken };
      }
      if (resource === 'provisioned-model-throughputs' && identifier === undefined) {
        // The simple filters are honoured; the creation-time filters and sorting are not.
        const summaries = (catalogue.provisionedModels?.[region]?.provisionedModelSummaries ?? []) as Summary[];
        const filtered = summaries
          .filter((p) => matches(q.get('statusEquals'), p.status, (a, b) => a === b))
          .filter((p) => matches(q.get('modelArnEquals'), p.modelArn, (a, b) => a === b))
          .filter((p) => matches(q.get('nameContains'), p.provisionedModelName, (a, b) => b.includes(a)));
        const page = paginate(filtered, q, pageSize);
        return { provisionedModelSummaries: page.items.map((m) => toWire(m)), nextToken: page.nextToken };
      }
    }
    throw new BedrockError(404, 'UnknownOperationException', `No Bedrock operation for ${method} ${url.pathname}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setCatalogue: (next) => {
      catalogue = next;
    },
    stop: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections(); // the SDK keeps connections alive
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The Region of a SigV4 request: `Credential=AKID/20261122/us-east-1/bedrock/aws4_request`. */
function regionOf(req: IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
}

function matches(wanted: string | null, value: unknown, equal: (wanted: string, value: string) => boolean): boolean {
  return wanted === null || (typeof value === 'string' && equal(wanted, value));
}

function includes(wanted: string | null, values: unknown): boolean {
  return wanted === null || (Array.isArray(values) && values.includes(wanted));
}

/** `nextToken` is an opaque offset; `maxResults` wins over the server's page size, as in Bedrock. */
function paginate<T>(items: T[], q: URLSearchParams, pageSize: number): { items: T[]; nextToken?: string } {
  const token = q.get('nextToken');
  const start =
    token === null
      ? 0
      : Number(
          Buffer.from(token, 'base64url')
            .toString()
            .replace(/^offset:/, ''),
        );
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new BedrockError(400, 'ValidationException', `Invalid nextToken ${token}`);
  const size = q.has('maxResults') ? Number(q.get('maxResults')) : pageSize;
  if (!Number.isInteger(size) || size < 1 || size > 1000)
    throw new BedrockError(400, 'ValidationException', 'maxResults must be between 1 and 1000');
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : undefined,
  };
}

// Bedrock's timestamps are `date-time` (RFC 3339); the CLI writes them with `+00:00`, the wire uses `Z`.
const TIMESTAMPS = new Set([
  'createdAt',
  'updatedAt',
  'creationTime',
  'lastModifiedTime',
  'commitmentExpirationTime',
  'startOfLifeTime',
  'endOfLifeTime',
  'legacyTime',
  'publicExtendedAccessTime',
]);

function toWire(value: unknown, key = ''): unknown {
  if (TIMESTAMPS.has(key) && (typeof value === 'string' || typeof value === 'number'))
    return new Date(typeof value === 'number' ? value * 1000 : value).toISOString();
  if (Array.isArray(value)) return value.map((v) => toWire(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v, k)]));
  return value;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A snapshot folder's Bedrock catalogue (`foundation-models.json`, `inference-profiles.json`,
 * `provisioned-models.json`, each optional). A file holding a single list output rather than one per
 * Region is split by the Region of each summary's ARN (or the first account Region), as the snapshot
 * reader does; every Region of `account.json` gets an entry.
 */
export function catalogueFromSnapshot(dir: string, account?: string): BedrockCatalogue {
  const from = (JSON.parse(readFileSync(join(dir, 'account.json'), 'utf8')) as { accountId: string }).accountId;
  const read = (file: string): unknown => {
    try {
      // Profile ARNs carry the caller's account: served to another account, they carry that one.
      const text = readFileSync(join(dir, file), 'utf8');
      return JSON.parse(account ? text.replaceAll(from, account) : text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const { regions } = read('account.json') as { regions: string[] };
  const perRegion = (file: string, listKey: string, arnKey: string) => {
    const raw = read(file) as Record<string, unknown> | undefined;
    if (raw === undefined || !(listKey in raw)) return raw;
    const byRegion: Record<string, Record<string, unknown[]>> = {};
    for (const region of regions) byRegion[region] = { [listKey]: [] };
    for (const item of raw[listKey] as Summary[]) {
      const region = String(item[arnKey]).split(':')[3] || regions[0] || '';
      (byRegion[region] ??= { [listKey]: [] })[listKey]?.push(item);
    }
    return byRegion;
  };
  return {
    foundationModels: perRegion('foundation-models.json', 'modelSummaries', 'modelArn'),
    inferenceProfiles: perRegion('inference-profiles.json', 'inferenceProfileSummaries', 'inferenceProfileArn'),
    provisionedModels: perRegion('provisioned-models.json', 'provisionedModelSummaries', 'provisionedModelArn'),
  } as BedrockCatalogue;
}
