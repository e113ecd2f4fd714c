// Model access granted or changed (entitlements, agreements, Marketplace offers): a model enabled that no team
// is granted is reported, with who can reach it.
import { eventHandler } from '../shared/service/lambda.js';

export const handler = eventHandler('onModelAccess');
