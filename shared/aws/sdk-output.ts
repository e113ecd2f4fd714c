/** An SDK response as the AWS CLI would print it: without the SDK's `$metadata`. */
export function withoutMetadata<T extends object>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _, ...rest } = output as T & { $metadata?: unknown };
  return rest;
}

/** The error's SDK name (`AccessDeniedException`, `NoSuchEntityException`…), or undefined for non-errors. */
export const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/**
 * Whether the error is AWS's `code`: the SDK names modelled errors with an
 * `Exception` suffix (`NoSuchEntityException` for IAM's `NoSuchEntity`), others as sent.
 */
export const isAwsError = (error: unknown, code: string): boolean => {
  const name = errorName(error);
  return name === code || name === `${code}Exception`;
};

/** Whether AWS refused the call for lack of permission (the names differ by protocol and service). */
export const isAccessDenied = (error: unknown): boolean =>
  ['AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClient'].some((code) => isAwsError(error, code));

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
