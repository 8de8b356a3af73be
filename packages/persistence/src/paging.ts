// Keyset paging: a page token is the JSON of the last row's key, and the next page starts strictly after it.
import type { Page, PageToken } from './contract.js';
import { InvalidPageTokenError } from './errors.js';

export type PageKey = readonly (string | number)[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The key the previous page ended at, or undefined for the first page. Rejects tokens this store did not issue. */
export function decodePageToken<Key extends PageKey>(token: PageToken, keyLength: number): Key | undefined {
  if (token === undefined || token.length === 0) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(decoder.decode(token));
  } catch {
    throw new InvalidPageTokenError('page token is not one this store issued');
  }
  const valid =
    Array.isArray(key) &&
    key.length === keyLength &&
    key.every((part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part)));
  if (!valid) throw new InvalidPageTokenError('page token is not one this store issued');
  return key as Key;
}

/** The LIMIT to query with: one row more than the page, so the extra row tells whether another page exists. */
export function fetchLimit(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  }
  return pageSize + 1;
}

/** Cuts rows read with fetchLimit(pageSize) down to one page, with a token only when more rows exist. */
export function toPage<Row>(rows: Row[], pageSize: number, keyOf: (row: Row) => PageKey): Page<Row> {
  if (rows.length <= pageSize) return { items: rows, nextPageToken: undefined };
  const items = rows.slice(0, pageSize);
  return { items, nextPageToken: encoder.encode(JSON.stringify(keyOf(items[items.length - 1]))) };
}
