// A consistent-hash ring: each member is placed at many points (virtual nodes), a key belongs to the first member
// point at or after the key's hash. Adding or removing a member moves only the keys next to its points.
import { createHash } from 'node:crypto';

/** Points per member: enough that a few members split a few dozen keys roughly evenly. */
export const VIRTUAL_NODES = 128;

/** A stable 32-bit hash (the first bytes of MD5): the same on every process, platform and release. */
export function ringHash(text: string): number {
  return createHash('md5').update(text).digest().readUInt32BE(0);
}

export class HashRing<T extends { identity: string }> {
  private readonly points: { hash: number; member: T }[];

  constructor(
    readonly members: readonly T[],
    virtualNodes = VIRTUAL_NODES,
  ) {
    this.points = members
      .flatMap((member) =>
        Array.from({ length: virtualNodes }, (_, i) => ({ hash: ringHash(`${member.identity}#${i}`), member })),
      )
      .sort((a, b) => a.hash - b.hash || a.member.identity.localeCompare(b.member.identity));
  }

  lookup(key: string): T | undefined {
    if (!this.points.length) return undefined;
    // A lone member owns every key; start-dev looks up owners on every call, and the hash is most of a lookup.
    if (this.members.length === 1) return this.members[0];
    const hash = ringHash(key);
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.points[mid]!.hash < hash) low = mid + 1;
      else high = mid;
    }
    return this.points[low === this.points.length ? 0 : low]!.member;
  }
}
