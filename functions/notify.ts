// Findings → Slack and SNS: subscribed to the guard's findings bus; routed by the policy file's `notify`, each alert
// sent once per destination and window (repeats counted into the next message), failures retried then sent to the DLQ.
import { notifyHandler } from '../shared/service/notify-lambda.js';

export const handler = notifyHandler();
