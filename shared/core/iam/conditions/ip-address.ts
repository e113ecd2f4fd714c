import { PolicyGrammarError } from '../../../errors.js';
import { type ConditionOperator, pair, tokensText } from './operator.js';

/** An address as a big integer plus its family, so IPv4 and IPv6 share one comparison. */
interface Address {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(p);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(`0x${g}`);
  }
  return tailV4 === undefined ? value : (value & ~0xffffffffn) | tailV4;
}

export function parseAddress(text: string): Address | undefined {
  const t = text.trim();
  const v4 = parseV4(t);
  if (v4 !== undefined) return { bits: 32, value: v4 };
  const v6 = t.includes(':') ? parseV6(t) : undefined;
  return v6 === undefined ? undefined : { bits: 128, value: v6 };
}

function compileCidr(value: Parameters<ConditionOperator['compile']>[0]) {
  const text = tokensText(value);
  const [addressText, prefixText, ...extra] = text.split('/');
  const address = parseAddress(addressText ?? '');
  // Only plain decimal prefix lengths: Number('') is 0, which would turn "10.0.0.0/" into a match-all /0.
  const prefix =
    prefixText === undefined ? address?.bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : undefined;
  if (!address || extra.length > 0 || prefix === undefined || prefix > address.bits) {
    throw new PolicyGrammarError(`"${text}" is not an IP address or CIDR block`, {
      hint: 'IpAddress takes IPv4 or IPv6 addresses or CIDR blocks such as 203.0.113.0/24.',
    });
  }
  const shift = BigInt(address.bits - prefix);
  const network = address.value >> shift;
  return (v: string) => {
    const candidate = parseAddress(v);
    return candidate !== undefined && candidate.bits === address.bits && candidate.value >> shift === network;
  };
}

/** `IpAddress` / `NotIpAddress` on CIDR blocks, IPv4 and IPv6. */
export const ipAddressOperators: ConditionOperator[] = pair('IpAddress', 'NotIpAddress', false, compileCidr);
