// SCP changes: re-read the SCPs above the account and plan the whole account (an SCP can change anyone's access).
import { eventHandler } from '../shared/service/lambda.js';

export const handler = eventHandler('onScpChange');
