// IAM changes (IAM events arrive in us-east-1, or us-gov-west-1 in GovCloud): re-read the users, roles and
// groups the event touched, and put the guard's denies back in line; a guard policy changed by someone else is
// re-applied and reported as tampering.
import { eventHandler } from '../shared/service/lambda.js';

export const handler = eventHandler('onIamChange');
