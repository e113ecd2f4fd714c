// Bedrock configuration: custom model import jobs (their role), invocation logging, provisioned throughput,
// agents, guardrails and knowledge bases: the caller and the roles the call hands to Bedrock are planned again.
import { eventHandler } from '../shared/service/lambda.js';

export const handler = eventHandler('onBedrockConfig');
