// Invokes: denials are reported with the caller's findings (why it was denied); a successful invoke of a model the
// caller is not granted is reported once per caller, model and window (invokes are frequent).
import { eventHandler } from '../shared/service/lambda.js';

export const handler = eventHandler('onInvoke');
