// Membership of a single process (start-dev): the members are the services this process registered.
import { RingMembership, type Member } from './membership.js';

export class LocalMembership extends RingMembership {
  readonly provider = 'in-process' as const;
  private readonly local: Member[] = [];

  async register(member: Member): Promise<void> {
    this.local.push(member);
    this.apply(this.local);
  }

  async deregister(): Promise<void> {
    this.local.length = 0;
    this.apply(this.local);
  }

  async close(): Promise<void> {
    await this.deregister();
  }
}
