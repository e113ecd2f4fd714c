/** Terminal colour, only when writing to a TTY and NO_COLOR is unset. */
export interface Style {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function styleFor(stream: { isTTY?: boolean }): Style {
  const on = stream.isTTY === true && !process.env.NO_COLOR;
  return on
    ? { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
    : { green: plain, red: plain, yellow: plain, dim: plain, bold: plain };
}
