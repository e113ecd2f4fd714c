import { compileArnLikeTokens } from '../pattern.js';
import { type ConditionOperator, pair } from './operator.js';

/**
 * ARN operators. `ArnEquals` and `ArnLike` are the same test in IAM: both
 * compare the six colon-separated parts separately and honour wildcards.
 * A context value that isn't an ARN never matches.
 */
export const arnOperators: ConditionOperator[] = [
  ...pair('ArnEquals', 'ArnNotEquals', true, (value) => compileArnLikeTokens(value)),
  ...pair('ArnLike', 'ArnNotLike', true, (value) => compileArnLikeTokens(value)),
];
