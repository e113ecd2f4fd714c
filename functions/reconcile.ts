// The sweep: the whole account captured afresh and reconciled, on the schedule or by a manual invoke with
// {"dryRun": true, "principals": ["arn:…"], "maxChanges": 50}.
import { reconcileHandler } from '../shared/service/lambda.js';

export const handler = reconcileHandler();
