/** The guard's deny policy document and the small helpers its statements are written with. */

export interface DenyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface DenyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly DenyStatement[];
}

/** A statement before its resource is chosen. */
export type StatementHead = Omit<DenyStatement, 'Resource' | 'NotResource'>;

/** IAM takes a lone value or a list: lone values read better. */
export const one = <T>(list: readonly T[]): T | readonly T[] => (list.length === 1 ? (list[0] as T) : list);
export const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();
