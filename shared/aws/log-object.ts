import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import type { AwsClients } from './clients.js';

/**
 * The records of one model invocation log file that Bedrock delivered to S3
 * (`…/BedrockModelInvocationLogs/…/*.json.gz`): one JSON record per line,
 * gzip-compressed when the key says so. Large bodies that Bedrock keeps in
 * separate objects are not read: only the record's token counts matter here.
 */
export async function readLogObject(aws: AwsClients, bucket: string, key: string): Promise<string[]> {
  const { Body } = await aws.of(S3Client).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!Body) return [];
  const bytes = Buffer.from(await Body.transformToByteArray());
  const text = (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split('\n').filter((line) => line.trim() !== '');
}
