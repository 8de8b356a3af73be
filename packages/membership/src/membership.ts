// Who is in the cluster: the members of each service's ring and the owner of a key on it. Two providers implement
// it: Redis (cluster mode, one registry shared by every process) and in-process (start-dev, a single member each).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SERVICE_NAMES, type ServiceName } from '@tempora/common';
import { HashRing } from './ring.js';

export interface Member {
  service: ServiceName;
  /** Unique per process incarnation: a restarted process is a new member. */
  identity: string;
  /** host:port of its gRPC server ('' for a service that does not listen). */
  address: string;
  /** Epoch ms. */
  startedTime: number;
}

export type MembershipListener = (service: ServiceName) => void;

export interface Membership {
  readonly provider: 'redis' | 'in-process';
  /** The service's members, ordered by identity. */
  members(service: ServiceName): readonly Member[];
  /**
   * True while the registry may be missing live members (Redis just came back empty): hosts hold off taking over
   * work until every live member had a heartbeat's chance to re-register. Listeners are called when it ends.
   */
  readonly settling: boolean;
  /** The member that owns `key` on the service's ring, if the ring has any member. */
  owner(service: ServiceName, key: string): Member | undefined;
  /** Called after a service's ring changed; returns the unsubscribe function. */
  onChange(listener: MembershipListener): () => void;
  /** Adds a member hosted by this process. */
  register(member: Member): Promise<void>;
  /** Removes every member this process registered (graceful drain); the others learn at once. */
  deregister(): Promise<void>;
  close(): Promise<void>;
}

/** A new member's identity: readable (service, host, pid) and unique per incarnation (random suffix). */
export function memberIdentity(service: ServiceName): string {
  return `${service}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Keeps one ring per service and tells listeners which rings changed. */
export abstract class RingMembership implements Membership {
  abstract readonly provider: 'redis' | 'in-process';
  private readonly rings = new Map<ServiceName, HashRing<Member>>(
    SERVICE_NAMES.map((s) => [s, new HashRing<Member>([])]),
  );
  private readonly listeners = new Set<MembershipListener>();

  get settling(): boolean {
    return false;
  }

  members(service: ServiceName): readonly Member[] {
    return this.rings.get(service)!.members;
  }

  owner(service: ServiceName, key: string): Member | undefined {
    return this.rings.get(service)!.lookup(key);
  }

  onChange(listener: MembershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the view; rebuilds and announces only the rings whose members changed. */
  protected apply(members: readonly Member[]): void {
    for (const service of SERVICE_NAMES) {
      const next = members.filter((m) => m.service === service).sort((a, b) => a.identity.localeCompare(b.identity));
      const current = this.rings.get(service)!.members;
      const same =
        next.length === current.length &&
        next.every((m, i) => m.identity === current[i]!.identity && m.address === current[i]!.address);
      if (same) continue;
      this.rings.set(service, new HashRing(next));
      this.announceChange(service);
    }
  }

  protected announceChange(service: ServiceName): void {
    for (const listener of [...this.listeners]) listener(service);
  }

  protected allMembers(): Member[] {
    return SERVICE_NAMES.flatMap((service) => [...this.members(service)]);
  }

  abstract register(member: Member): Promise<void>;
  abstract deregister(): Promise<void>;
  abstract close(): Promise<void>;
}
