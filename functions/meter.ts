// Usage budgets: model invocation logs (CloudWatch Logs subscription or S3 delivery) counted per principal, budget
// and window; at 80 % an alert, at 100 % a self-expiring deny of the budget's models until the window ends.
import { meterHandler } from '../shared/service/meter-lambda.js';

export const handler = meterHandler();
