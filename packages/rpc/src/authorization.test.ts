import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { defaultAuthorization } from '@tempora/common';
import { classifyApi } from './api-categories.js';
import { claimsFromPermissions, defaultAuthorizer, JwksKeyProvider, JwtClaimMapper, Role } from './authorization.js';

const target = (namespace: string, service: string, method: string) => ({
  namespace,
  api: `${service}/${method}`,
  apiClass: classifyApi(service, method),
});

describe('classification and the default authorizer', () => {
  it('classifies APIs as upstream does, with polls and task responses as worker calls', () => {
    expect(classifyApi('WorkflowService', 'StartWorkflowExecution').category).toBe('write');
    expect(classifyApi('WorkflowService', 'PollActivityTaskQueue').category).toBe('worker');
    expect(classifyApi('WorkflowService', 'RespondWorkflowTaskCompleted').category).toBe('worker');
    expect(classifyApi('WorkflowService', 'ListWorkflowExecutions').category).toBe('read');
    expect(classifyApi('WorkflowService', 'UpdateNamespace').category).toBe('admin');
    expect(classifyApi('WorkflowService', 'ListNamespaces').scope).toBe('cluster');
    expect(classifyApi('OperatorService', 'AddSearchAttributes').category).toBe('admin');
    expect(classifyApi('AdminService', 'ListShards')).toEqual({ scope: 'cluster', category: 'admin' });
  });

  it('decides by namespace and system roles', () => {
    const worker = claimsFromPermissions('w', ['default:worker'], undefined);
    expect(defaultAuthorizer.authorize(worker, target('default', 'WorkflowService', 'PollWorkflowTaskQueue'))).toEqual({
      decision: 'allow',
    });
    expect(
      defaultAuthorizer.authorize(worker, target('default', 'WorkflowService', 'DescribeNamespace')).decision,
    ).toBe('allow');
    expect(
      defaultAuthorizer.authorize(worker, target('default', 'WorkflowService', 'SignalWorkflowExecution')).decision,
    ).toBe('deny');
    const system = claimsFromPermissions('s', ['system:read'], undefined);
    expect(defaultAuthorizer.authorize(system, target('', 'WorkflowService', 'ListNamespaces')).decision).toBe('allow');
    expect(defaultAuthorizer.authorize(system, target('x', 'WorkflowService', 'StartWorkflowExecution'))).toEqual({
      decision: 'deny',
      reason: 'StartWorkflowExecution in namespace "x" needs permission x:write or x:admin or system:write',
    });
    expect(defaultAuthorizer.authorize(undefined, target('', 'WorkflowService', 'GetSystemInfo')).decision).toBe(
      'allow',
    );
  });

  it('maps permissions with a regex and merges roles per namespace', () => {
    const regex = /^temporal-(?<namespace>[a-z]+)-(?<role>[a-z]+)$/;
    const claims = claimsFromPermissions('u', ['temporal-default-read', 'temporal-default-worker', 'junk', 3], regex);
    expect(claims.namespaces.get('default')).toBe(Role.read | Role.worker);
  });
});

describe('JwtClaimMapper', () => {
  it('reads a nested permissions claim and a custom subject claim, verifying against a JWKS file', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const file = join(mkdtempSync(join(tmpdir(), 'jwks-')), 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'e1' }] }));
    const keys = new JwksKeyProvider([pathToFileURL(file).href], 60_000);
    await keys.start();
    const config = {
      ...defaultAuthorization(),
      permissionsClaimName: 'realm.roles',
      subjectClaimName: 'email',
      audience: 'tempora',
    };
    const mapper = new JwtClaimMapper(config, keys);
    const jwt = await new SignJWT({ realm: { roles: ['default:admin'] }, email: 'a@example.com' })
      .setProtectedHeader({ alg: 'ES256', kid: 'e1' })
      .setAudience('tempora')
      .setExpirationTime('5m')
      .sign(privateKey);
    const claims = await mapper.getClaims(`Bearer ${jwt}`);
    expect(claims?.subject).toBe('a@example.com');
    expect(claims?.namespaces.get('default')).toBe(Role.admin);
    await expect(mapper.getClaims(`Basic ${jwt}`)).rejects.toThrow('unexpected name in authorization token');
    const wrongAudience = await new SignJWT({ email: 'a' })
      .setProtectedHeader({ alg: 'ES256', kid: 'e1' })
      .setAudience('other')
      .sign(privateKey);
    await expect(mapper.getClaims(`Bearer ${wrongAudience}`)).rejects.toThrow(`the token's "aud" claim is not valid`);
    keys.close();
  });
});
