// Page tokens as callers see them: the store's or history's own token, bound to what it pages (namespace, query,
// workflow) and sealed with an HMAC under the cluster's secret. Every frontend of a cluster reads the same secret
// from cluster metadata, so a token issued by one is accepted by the others; a token changed by one byte, or
// replayed for another namespace or query, is refused the way upstream refuses a bad history token.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from './errors.js';

const VERSION = 1;
const MAC_BYTES = 16;
export const INVALID_PAGE_TOKEN_MESSAGE = 'Invalid NextPageToken.';

/** The cluster metadata fields the key comes from. */
export interface PageTokenCluster {
  clusterId: string;
  pageTokenSecret: Uint8Array;
}

export class PageTokens {
  private readonly key: Buffer;

  constructor(cluster: PageTokenCluster) {
    // Stores created before the secret existed have none; their cluster id (random, stored, shared by all
    // frontends) keys the HMAC instead. It is not secret (GetClusterInfo shows it), so such tokens are bound to
    // their scope and checked for corruption, but an informed caller could forge one.
    this.key = cluster.pageTokenSecret.length
      ? Buffer.from(cluster.pageTokenSecret)
      : createHash('sha256').update(`tempora-page-token:${cluster.clusterId}`).digest();
  }

  /** The caller's token for `inner` (empty stays empty: no further page). */
  seal(scope: readonly string[], inner: Uint8Array): Buffer {
    if (inner.length === 0) return Buffer.alloc(0);
    return Buffer.concat([Buffer.from([VERSION]), inner, this.mac(scope, inner)]);
  }

  /** The inner token of a caller's token issued for `scope`; empty for the first page. INVALID_ARGUMENT otherwise. */
  open(scope: readonly string[], sealed: Uint8Array): Buffer {
    if (sealed.length === 0) return Buffer.alloc(0);
    const bytes = Buffer.from(sealed);
    if (bytes.length <= 1 + MAC_BYTES || bytes[0] !== VERSION) throw invalidArgument(INVALID_PAGE_TOKEN_MESSAGE);
    const inner = bytes.subarray(1, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), this.mac(scope, inner))) {
      throw invalidArgument(INVALID_PAGE_TOKEN_MESSAGE);
    }
    return inner;
  }

  private mac(scope: readonly string[], inner: Uint8Array): Buffer {
    // JSON text never holds a NUL byte, so scope and token cannot run into each other.
    return createHmac('sha256', this.key)
      .update(JSON.stringify(scope))
      .update('\0')
      .update(inner)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
