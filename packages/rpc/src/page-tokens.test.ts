import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Code, RpcError } from './errors.js';
import { INVALID_PAGE_TOKEN_MESSAGE, PageTokens } from './page-tokens.js';

const cluster = { clusterId: 'c1', pageTokenSecret: randomBytes(32) };
const inner = Buffer.from('["2024-05-01T00:00:00Z","run-1"]');
const scope = ['ListWorkflowExecutions', 'ns-1', "WorkflowType = 'a'"];

function refusal(fn: () => unknown): RpcError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RpcError) return err;
    throw err;
  }
  throw new Error('expected the token to be refused');
}

describe('PageTokens', () => {
  it('opens what it sealed, in any frontend that reads the same cluster secret', () => {
    const sealed = new PageTokens(cluster).seal(scope, inner);
    expect(new PageTokens({ ...cluster }).open(scope, sealed)).toEqual(inner);
    expect(new PageTokens(cluster).seal(scope, new Uint8Array()).length).toBe(0);
    expect(new PageTokens(cluster).open(scope, new Uint8Array()).length).toBe(0);
  });

  it('refuses a token with any one byte changed', () => {
    const tokens = new PageTokens(cluster);
    const sealed = tokens.seal(scope, inner);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      const error = refusal(() => tokens.open(scope, tampered));
      expect([error.code, error.message]).toEqual([Code.INVALID_ARGUMENT, INVALID_PAGE_TOKEN_MESSAGE]);
    }
  });

  it('refuses a token replayed for another namespace, query or method, truncated, or under another secret', () => {
    const sealed = new PageTokens(cluster).seal(scope, inner);
    const tokens = new PageTokens(cluster);
    for (const other of [
      ['ListWorkflowExecutions', 'ns-2', "WorkflowType = 'a'"],
      ['ListWorkflowExecutions', 'ns-1', "WorkflowType = 'b'"],
      ['ScanWorkflowExecutions', 'ns-1', "WorkflowType = 'a'"],
    ]) {
      expect(refusal(() => tokens.open(other, sealed)).code).toBe(Code.INVALID_ARGUMENT);
    }
    expect(refusal(() => tokens.open(scope, sealed.subarray(0, 10))).code).toBe(Code.INVALID_ARGUMENT);
    expect(refusal(() => tokens.open(scope, inner)).code).toBe(Code.INVALID_ARGUMENT);
    const otherCluster = new PageTokens({ clusterId: 'c1', pageTokenSecret: randomBytes(32) });
    expect(refusal(() => otherCluster.open(scope, sealed)).code).toBe(Code.INVALID_ARGUMENT);
  });

  it('keys a store created before the secret existed by its cluster id', () => {
    const legacy = { clusterId: 'c1', pageTokenSecret: new Uint8Array() };
    const sealed = new PageTokens(legacy).seal(scope, inner);
    expect(new PageTokens(legacy).open(scope, sealed)).toEqual(inner);
    expect(refusal(() => new PageTokens({ ...legacy, clusterId: 'c2' }).open(scope, sealed)).code).toBe(
      Code.INVALID_ARGUMENT,
    );
  });
});
