/** Where a CLI run writes; tests pass in-memory streams. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** For `apply`'s confirmation; absent in tests and pipelines. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}
