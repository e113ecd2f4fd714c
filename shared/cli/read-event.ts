import { readFile } from 'node:fs/promises';
import type { CloudTrailEnvelope } from '../core/events/cloudtrail-schema.js';
import { parseGuardEvent } from '../core/events/parse-event.js';
import { BedrockGuardError } from '../errors.js';

/**
 * The event a command was given: a file, or `-` for standard input, holding an
 * EventBridge envelope, a bare CloudTrail record or a LookupEvents item, as
 * the envelope the handlers see. Unreadable or non-JSON input is a
 * `BedrockGuardError` naming the file; a malformed event an `EventParseError`.
 */
export async function readEvent(file: string, stdin: NodeJS.ReadableStream): Promise<CloudTrailEnvelope> {
  return parseGuardEvent(await readJson(file, stdin));
}

async function readJson(file: string, stdin: NodeJS.ReadableStream): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readAll(stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new BedrockGuardError(`cannot read the event file: ${(error as Error).message}`, { location: file });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BedrockGuardError(`the event file is not JSON: ${(error as Error).message}`, {
      location: file,
      hint: 'Pass an EventBridge event (see events/), a CloudTrail record, or a LookupEvents item.',
    });
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
