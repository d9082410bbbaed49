/**
 * IP addresses and CIDR blocks for `CIDR(@attr, block, ...)` searches (Datadog Log Search Syntax, "Search using CIDR
 * notation": https://docs.datadoghq.com/logs/explorer/search_syntax/#search-using-cidr-notation — one attribute,
 * then one or more IPv4 or IPv6 blocks; on an array attribute, any address in the array).
 */
import type { CidrBlock } from "./ast";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 or IPv6 address as a bigint with its family, or undefined when the text is not an address. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = IPV4.exec(text);
  if (v4 !== null) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: BigInt(((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) };
  }
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] | undefined => {
    if (h === "") return [];
    const out: string[] = [];
    for (const g of h.split(":")) {
      const embedded = IPV4.exec(g);
      if (embedded !== null) {
        const ip = parseIp(g);
        if (ip === undefined) return undefined;
        out.push((ip.value >> 16n).toString(16), (ip.value & 0xffffn).toString(16));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(g);
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
}

/** A CIDR block (`10.0.0.0/8`, `fc00::/7`), or undefined when the text is not one. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf("/");
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (ip === undefined || prefix > (ip.family === 4 ? 32 : 128)) return undefined;
  const bits = ip.family === 4 ? 32n : 128n;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << (bits - BigInt(prefix));
  return { family: ip.family, network: ip.value & mask, prefix, text };
}

/** Whether `address` (text) is inside one of the blocks. */
export function inCidrBlocks(address: string, blocks: readonly CidrBlock[]): boolean {
  const ip = parseIp(address);
  if (ip === undefined) return false;
  const bits = ip.family === 4 ? 32n : 128n;
  return blocks.some((b) => {
    if (b.family !== ip.family) return false;
    const mask = b.prefix === 0 ? 0n : ((1n << BigInt(b.prefix)) - 1n) << (bits - BigInt(b.prefix));
    return (ip.value & mask) === b.network;
  });
}
