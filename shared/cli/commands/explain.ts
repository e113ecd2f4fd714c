import { createReadStream } from 'node:fs';
import { explainModel, explainRequest } from '../../core/explain/explain.js';
import { Explainer } from '../../core/explain/explainer.js';
import { explanationJson, modelExplanationJson } from '../../core/explain/json.js';
import type { ContextValue } from '../../core/iam/types.js';
import type { Snapshot } from '../../core/snapshot/types.js';
import { BedrockGuardError, UsageError } from '../../errors.js';
import { readSnapshotFolder } from '../../snapshot/read-folder.js';
import { parseContext, parseOptions, required } from '../args.js';
import type { Io } from '../io.js';
import { renderExplanation, renderModelExplanation } from '../render-explain.js';
import { styleFor } from '../style.js';
import { renderWhoCan, whoCan } from '../who-can.js';

const OPTIONS = {
  snapshot: { type: 'string' },
  principal: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  context: { type: 'string', multiple: true },
  model: { type: 'string' },
  region: { type: 'string' },
  batch: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const SNAPSHOT_HINT =
  'Point --snapshot at a folder with account.json and iam.json (`aws iam get-account-authorization-details > iam.json`); see README "Snapshot folder".';

/** `bedrock-guard explain`: one request, a batch of requests, or the per-route view of a model. */
export async function explainCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS, 'explain');
  if (positionals.length > 0) throw new UsageError(`explain: unexpected argument "${positionals[0]}"`);
  const snapshot = await readSnapshotFolder(required(values.snapshot, '--snapshot', SNAPSHOT_HINT));
  const context = parseContext(values.context);
  const style = styleFor(io.stdout);

  if (values.batch !== undefined) {
    for (const flag of ['principal', 'action', 'resource', 'model'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} can't be combined with --batch`);
    }
    return runBatch(snapshot, values.batch, context, io);
  }

  if (values.model !== undefined) {
    const region = required(values.region, '--region', 'e.g. --region us-east-1');
    if (values.action !== undefined || values.resource !== undefined) {
      throw new UsageError('--model takes no --action or --resource: it checks every route to the model');
    }
    if (values.principal === undefined) {
      const rows = whoCan(snapshot, values.model, region, context);
      io.stdout.write(
        values.json ? `${JSON.stringify(rows)}\n` : `${renderWhoCan(rows, values.model, region, style)}\n`,
      );
      return 0;
    }
    const m = explainModel(snapshot, { principal: values.principal, modelId: values.model, region, context });
    io.stdout.write(
      values.json ? `${JSON.stringify(modelExplanationJson(m))}\n` : `${renderModelExplanation(m, style)}\n`,
    );
    return 0;
  }

  const e = explainRequest(snapshot, {
    principal: required(
      values.principal,
      '--principal',
      'A user or role ARN from the snapshot, e.g. arn:aws:iam::111122223333:role/App',
    ),
    action: required(values.action, '--action', 'e.g. --action bedrock:InvokeModel'),
    resource: required(
      values.resource,
      '--resource',
      'e.g. --resource arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0',
    ),
    context,
  });
  io.stdout.write(values.json ? `${JSON.stringify(explanationJson(e))}\n` : `${renderExplanation(e, style)}\n`);
  return 0;
}

interface BatchLine {
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, ContextValue>;
}

function parseLine(text: string): BatchLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError('expected a JSON object');
  const r = raw as Record<string, unknown>;
  for (const key of ['principal', 'action', 'resource'] as const) {
    if (typeof r[key] !== 'string') throw new UsageError(`"${key}" must be a string`);
  }
  if (r.context !== undefined && (typeof r.context !== 'object' || r.context === null || Array.isArray(r.context))) {
    throw new UsageError('"context" must be an object of key: value or key: [values]');
  }
  return r as unknown as BatchLine;
}

/** The lines of a file or standard input, read in large chunks (readline costs more than the work per line). */
async function* linesOf(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  let rest = '';
  input.setEncoding('utf8');
  for await (const chunk of input) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      yield text.slice(start, nl > start && text[nl - 1] === '\r' ? nl - 1 : nl);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest;
}

async function openInput(file: string): Promise<NodeJS.ReadableStream> {
  if (file === '-') return process.stdin;
  const stream = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    stream.once('error', (error: Error) => reject(new UsageError(`--batch ${file}: ${error.message}`)));
    stream.once('open', () => resolve());
  });
  return stream;
}

/**
 * JSON Lines in, one JSON result per non-empty input line out, in order. A bad
 * line yields `{"line": n, "error": …}` and the run goes on; the exit code is 1
 * if any line failed. One `Explainer` serves the whole batch.
 */
async function runBatch(
  snapshot: Snapshot,
  file: string,
  context: Record<string, ContextValue>,
  io: Io,
): Promise<number> {
  const explainer = new Explainer(snapshot, new Date(), context);
  let failed = 0;
  let lineNo = 0;
  let out = '';
  for await (const text of linesOf(await openInput(file))) {
    lineNo++;
    if (text.trim() === '') continue;
    try {
      out += `${JSON.stringify(explanationJson(explainer.explain(parseLine(text))))}\n`;
    } catch (error) {
      if (!(error instanceof BedrockGuardError)) throw error;
      failed++;
      out += `${JSON.stringify({ line: lineNo, error: error.message })}\n`;
    }
    if (out.length > 65_536) {
      io.stdout.write(out);
      out = '';
    }
  }
  io.stdout.write(out);
  if (failed > 0) io.stderr.write(`bedrock-guard: ${failed} of ${lineNo} lines failed (see the "error" results)\n`);
  return failed > 0 ? 1 : 0;
}
