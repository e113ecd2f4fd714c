import { SnapshotError } from '../../errors.js';
import { SNAPSHOT_FILES } from './files.js';

/** What each file should hold, for shape errors that have no more specific hint. */
const FILE_HINTS: Record<string, string> = {
  [SNAPSHOT_FILES.account]:
    'account.json is {"accountId": "111122223333", "partition": "aws", "regions": ["us-east-1"]}.',
  [SNAPSHOT_FILES.iam]:
    'iam.json is the unmodified output of `aws iam get-account-authorization-details --output json`.',
  [SNAPSHOT_FILES.scps]:
    'scps.json is {"levels": [{"target": "r-…", "policies": [{"Id": "p-…", "Name": "…", "Content": "<policy JSON>"}]}, …]}, root first, account last.',
  [SNAPSHOT_FILES.foundationModels]:
    'foundation-models.json is the output of `aws bedrock list-foundation-models`, or {"<region>": <that output>, …}.',
  [SNAPSHOT_FILES.inferenceProfiles]:
    'inference-profiles.json is the output of `aws bedrock list-inference-profiles`, or {"<region>": <that output>, …}.',
  [SNAPSHOT_FILES.provisionedModels]:
    'provisioned-models.json is the output of `aws bedrock list-provisioned-model-throughputs`, or {"<region>": <that output>, …}.',
};

/** Small typed readers over untrusted JSON that fail with the file and JSON path. */
export class JsonReader {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(message: string, hint?: string): never {
    const why = hint ?? FILE_HINTS[this.file];
    throw new SnapshotError(message, { location: `${this.file} ${this.path}`, ...(why ? { hint: why } : {}) });
  }

  isObject(): boolean {
    return typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value);
  }

  object(): JsonReader {
    if (!this.isObject()) this.fail(`expected an object, got ${describe(this.value)}`);
    return this;
  }

  has(key: string): boolean {
    return this.isObject() && (this.value as Record<string, unknown>)[key] !== undefined;
  }

  get(key: string): JsonReader {
    this.object();
    return new JsonReader(this.file, `${this.path}.${key}`, (this.value as Record<string, unknown>)[key]);
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail(`expected a string, got ${describe(this.value)}`);
    return this.value;
  }

  optionalString(): string | undefined {
    return this.value === undefined || this.value === null ? undefined : this.string();
  }

  /** A list; an absent key reads as empty, as the AWS CLI omits empty lists. */
  list(): JsonReader[] {
    if (this.value === undefined || this.value === null) return [];
    if (!Array.isArray(this.value)) this.fail(`expected a list, got ${describe(this.value)}`);
    return this.value.map((v, i) => new JsonReader(this.file, `${this.path}[${i}]`, v));
  }

  entries(): [string, JsonReader][] {
    this.object();
    return Object.entries(this.value as Record<string, unknown>).map(([k, v]) => [
      k,
      new JsonReader(this.file, `${this.path}.${k}`, v),
    ]);
  }

  /** `[{Key, Value}]` as the IAM API returns tags. */
  tags(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const t of this.list()) out[t.get('Key').string()] = t.get('Value').optionalString() ?? '';
    return out;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
