// The HTTP API with a plain HTTP client (fetch): start, signal, update, query (answered by a real SDK worker),
// describe, history, list, system info and namespaces, each compared with the gRPC answer to the same call; upstream's
// error bodies and HTTP status codes; and the frontend's pipeline (authorization, metrics) applying to HTTP calls.
// With TEMPORA_TEST_ORACLE=<grpc address> and TEMPORA_TEST_ORACLE_HTTP=<http address> (`temporal server start-dev
// --http-port P`) the first part runs against the official server, whose JSON shapes these expectations are.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status as Code } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '@tempora/cli';
import { eventually, freePort, grpcFailure, startTestServer, uniqueName, type TestServer } from './helpers.js';
import { signingKey, token, type SigningKey } from './jwt-support.js';
import { makeCertificates } from './tls-support.js';
import { eventTypeName, readHistory, startTestTarget, useSdkTarget, waitForEvent } from './sdk-support.js';
import { counterQuery } from './workflows/queries-updates.js';

/** A JSON body read by member names; expectations check the leaves (a missing member reads as undefined). */
interface Json {
  readonly [key: string]: Json;
}

/** A JSON array member as a list. */
function list(value: Json): Json[] {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value as Json[];
}

/** A JSON string member. */
function text(value: Json): string {
  if (typeof value !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
  return value;
}

interface HttpAnswer {
  status: number;
  body: Json;
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const response = await fetch(`http://${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const taskQueue = uniqueName('http');
let http = '';
const sdk = useSdkTarget({
  taskQueue,
  workflows: 'queries-updates',
  start: async () => {
    if (process.env.TEMPORA_TEST_ORACLE) {
      http = process.env.TEMPORA_TEST_ORACLE_HTTP ?? '';
      if (!http) throw new Error('TEMPORA_TEST_ORACLE needs TEMPORA_TEST_ORACLE_HTTP (the oracle --http-port address)');
      return startTestTarget();
    }
    const t = await startTestServer();
    http = t.server.httpAddress!;
    return { address: t.server.address, connection: t.connection, close: () => t.close() };
  },
});

const get = (path: string, headers?: Record<string, string>) => call(http, 'GET', path, undefined, headers);
const post = (path: string, body: unknown, headers?: Record<string, string>) => call(http, 'POST', path, body, headers);

/** Starts counterWorkflow(start) over HTTP, the issue's `curl -X POST .../workflows/w1 -d '{...}'` shape. */
async function startOverHttp(start: number): Promise<{ workflowId: string; runId: string }> {
  const workflowId = uniqueName('http-wf');
  const answer = await post(`/api/v1/namespaces/default/workflows/${workflowId}`, {
    workflowType: { name: 'counterWorkflow' },
    taskQueue: { name: taskQueue },
    input: [start],
  });
  expect(answer.status).toBe(200);
  expect(answer.body.started).toBe(true);
  return { workflowId, runId: text(answer.body.runId) };
}

describe('the HTTP API, compared with gRPC', () => {
  it('starts a workflow with shorthand input that a real worker reads, queries it and signals it', async () => {
    const { workflowId, runId } = await startOverHttp(5);
    const handle = sdk.client.workflow.getHandle(workflowId);
    expect((await handle.describe()).runId).toBe(runId);
    // The worker decoded the shorthand [5] as the json/plain number 5.
    expect(await handle.query(counterQuery)).toBe(5);

    const query = await post(`/api/v1/namespaces/default/workflows/${workflowId}/query/counter`, {});
    expect(query).toEqual({ status: 200, body: { queryResult: [5] } });

    const update = await post(`/api/v1/namespaces/default/workflows/${workflowId}/update/add`, {
      request: { meta: { updateId: uniqueName('u') }, input: { args: [3] } },
      waitPolicy: { lifecycleStage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED' },
    });
    expect(update.status).toBe(200);
    expect(update.body.outcome).toEqual({ success: [8] });
    expect(update.body.stage).toBe('UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED');

    const signal = await post(`/api/v1/namespaces/default/workflows/${workflowId}/signal/unhandled`, {
      input: [{ b: '<&>', a: 1 }],
      identity: 'curl',
    });
    expect(signal.status).toBe(200);
    const events = await readHistory(sdk.connection, workflowId);
    const signaled = events.find((e) => eventTypeName(e) === 'WORKFLOW_EXECUTION_SIGNALED')!;
    const attributes = signaled.workflowExecutionSignaledEventAttributes!;
    expect(attributes.signalName).toBe('unhandled');
    expect(attributes.identity).toBe('curl');
    const payload = attributes.input!.payloads![0]!;
    expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('json/plain');
    // Go's encoding/json bytes, as upstream stores them: keys sorted, HTML characters escaped.
    expect(Buffer.from(payload.data!).toString()).toBe('{"a":1,"b":"\\u003c\\u0026\\u003e"}');
  });

  it('describes and reads the history as gRPC does, payloads in shorthand unless asked otherwise', async () => {
    const { workflowId, runId } = await startOverHttp(7);
    const grpc = await sdk.connection.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId },
    });
    const described = await get(`/api/v1/namespaces/default/workflows/${workflowId}`);
    expect(described.status).toBe(200);
    const info = described.body.workflowExecutionInfo;
    expect(info.execution).toEqual({ workflowId, runId });
    expect(info.type).toEqual({ name: 'counterWorkflow' });
    expect(info.status).toBe('WORKFLOW_EXECUTION_STATUS_RUNNING');
    expect(info.taskQueue).toBe(taskQueue);
    expect(info.historyLength).toBe(String(grpc.workflowExecutionInfo!.historyLength));
    expect(described.body.executionConfig.taskQueue).toEqual({ name: taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' });

    // After the first workflow task the run waits for an update: its history holds still while both are read.
    await waitForEvent(sdk.connection, workflowId, runId, (e) => eventTypeName(e) === 'WORKFLOW_TASK_COMPLETED');
    const events = await readHistory(sdk.connection, workflowId, runId);
    const history = await get(`/api/v1/namespaces/default/workflows/${workflowId}/history?execution.runId=${runId}`);
    expect(history.status).toBe(200);
    const httpEvents = list(history.body.history.events);
    expect(httpEvents.map((e) => e.eventType)).toEqual(events.map((e) => `EVENT_TYPE_${eventTypeName(e)}`));
    expect(httpEvents[0]!.eventId).toBe('1');
    expect(httpEvents[0]!.workflowExecutionStartedEventAttributes.input).toEqual([7]);

    const full = await get(`/api/v1/namespaces/default/workflows/${workflowId}/history?noPayloadShorthand`);
    expect(full.body.history.events[0].workflowExecutionStartedEventAttributes.input).toEqual({
      payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'Nw==' }],
    });
    const pretty = await fetch(`http://${http}/api/v1/namespaces/default/workflows/${workflowId}?pretty`);
    expect(await pretty.text()).toContain('\n  "executionConfig": {\n');
  });

  it('lists and counts with a query in the URL, as gRPC lists', async () => {
    const { workflowId, runId } = await startOverHttp(1);
    const query = encodeURIComponent(`WorkflowId = '${workflowId}'`);
    // Visibility is written asynchronously (as upstream's): the run shows up a moment after the start.
    const listed = await eventually(async () => {
      const answer = await get(`/api/v1/namespaces/default/workflows?query=${query}&pageSize=10`);
      expect(answer.body.executions).toHaveLength(1);
      return answer;
    });
    const grpc = await sdk.connection.workflowService.listWorkflowExecutions({
      namespace: 'default',
      query: `WorkflowId = '${workflowId}'`,
    });
    expect(listed.body.executions).toHaveLength(1);
    expect(listed.body.executions[0].execution).toEqual({ workflowId, runId });
    expect(listed.body.executions[0].execution.runId).toBe(grpc.executions[0]!.execution!.runId);
    expect(listed.body.executions[0].status).toBe('WORKFLOW_EXECUTION_STATUS_RUNNING');
    const count = await get(`/api/v1/namespaces/default/workflow-count?query=${query}`);
    expect(count).toEqual({ status: 200, body: { count: '1' } });
  });

  it('answers GetSystemInfo and the namespace calls as gRPC does', async () => {
    const grpc = await sdk.connection.workflowService.getSystemInfo({});
    const info = await get('/api/v1/system-info');
    expect(info.status).toBe(200);
    expect(info.body.serverVersion).toBe(grpc.serverVersion);
    expect(Object.keys(info.body.capabilities).sort()).toEqual(
      Object.entries(grpc.capabilities!)
        .filter(([, v]) => v === true)
        .map(([k]) => k)
        .sort(),
    );
    const described = await get('/api/v1/namespaces/default');
    const grpcNamespace = await sdk.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(described.body.namespaceInfo.name).toBe('default');
    expect(described.body.namespaceInfo.id).toBe(grpcNamespace.namespaceInfo!.id);
    expect(described.body.namespaceInfo.state).toBe('NAMESPACE_STATE_REGISTERED');
    expect(described.body.config.workflowExecutionRetentionTtl).toMatch(/^\d+s$/);
    // The annotations' first binding is served too.
    expect((await get('/cluster/namespaces/default')).body).toEqual(described.body);
    const listed = await get('/api/v1/namespaces');
    expect(list(listed.body.namespaces).map((n) => n.namespaceInfo.name)).toContain('default');
  });
});

describe('HTTP API errors: google.rpc.Status bodies with grpc-gateway status codes', () => {
  it('NOT_FOUND: a workflow and a namespace that do not exist, with the gRPC message and detail', async () => {
    const missing = uniqueName('missing');
    const grpc = await grpcFailure(
      sdk.connection.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId: missing },
      }),
    );
    const answer = await get(`/api/v1/namespaces/default/workflows/${missing}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      code: Code.NOT_FOUND,
      message: grpc.message,
      details: [{ '@type': `type.googleapis.com/${grpc.detailType}` }],
    });
    const namespace = await get(`/api/v1/namespaces/nowhere-${missing}/workflows/x`);
    expect(namespace.status).toBe(404);
    expect(namespace.body).toEqual({
      code: Code.NOT_FOUND,
      message: `Namespace nowhere-${missing} is not found.`,
      details: [
        {
          '@type': 'type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure',
          namespace: `nowhere-${missing}`,
        },
      ],
    });
  });

  it('INVALID_ARGUMENT (400): a request the handler refuses, malformed JSON, unknown fields, bad query values', async () => {
    const workflowId = uniqueName('bad');
    const grpc = await grpcFailure(
      sdk.connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId,
        workflowType: { name: 'x' },
        requestId: uniqueName('r'),
      }),
    );
    const refused = await post(`/api/v1/namespaces/default/workflows/${workflowId}`, { workflowType: { name: 'x' } });
    expect(refused).toEqual({ status: 400, body: { code: Code.INVALID_ARGUMENT, message: grpc.message } });

    const malformed = await post(`/api/v1/namespaces/default/workflows/${workflowId}`, '{bad');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe(Code.INVALID_ARGUMENT);
    const unknown = await post(`/api/v1/namespaces/default/workflows/${workflowId}`, { bogus: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('"bogus"');
    const pageSize = await get('/api/v1/namespaces/default/workflows?pageSize=many');
    expect(pageSize.status).toBe(400);
    expect(pageSize.body.code).toBe(Code.INVALID_ARGUMENT);
    expect(pageSize.body.message).toContain('parsing field "page_size"');
  });

  it('ALREADY_EXISTS (409) with its detail; unknown paths 404 and other methods 501, as grpc-gateway', async () => {
    const { workflowId, runId } = await startOverHttp(0);
    const again = await post(`/api/v1/namespaces/default/workflows/${workflowId}`, {
      workflowType: { name: 'counterWorkflow' },
      taskQueue: { name: taskQueue },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe(Code.ALREADY_EXISTS);
    expect(again.body.details[0]['@type']).toBe(
      'type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
    );
    expect(again.body.details[0].runId).toBe(runId);
    expect(await get('/api/v1/nope')).toEqual({ status: 404, body: { code: Code.NOT_FOUND, message: 'Not Found' } });
    expect(await call(http, 'DELETE', '/api/v1/system-info')).toEqual({
      status: 501,
      body: { code: Code.UNIMPLEMENTED, message: 'Method Not Allowed' },
    });
  });

  it('accepts a Grpc-Timeout deadline and refuses a malformed one', async () => {
    expect((await get('/api/v1/system-info', { 'grpc-timeout': '5S' })).status).toBe(200);
    expect(await get('/api/v1/system-info', { 'grpc-timeout': 'soon' })).toEqual({
      status: 400,
      body: { code: Code.INVALID_ARGUMENT, message: 'invalid Grpc-Timeout header "soon"' },
    });
  });

  it('refuses a body over 4 MiB, the limit upstream has, with INVALID_ARGUMENT', async () => {
    const big = JSON.stringify({ input: ['x'.repeat(4 * 1024 * 1024)] });
    const answer = await post(`/api/v1/namespaces/default/workflows/${uniqueName('big')}/signal/s`, big);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(Code.INVALID_ARGUMENT);
    expect(answer.body.message).toContain('request body too large');
  });
});

// The rest needs Tempora's own configuration (authorization, metrics), so it never runs against the oracle.
const tempora = process.env.TEMPORA_TEST_ORACLE ? describe.skip : describe;

tempora('the frontend pipeline on HTTP calls', () => {
  let server: TestServer;
  let key: SigningKey;
  let metricsPort: number;
  let base: string;

  beforeAll(async () => {
    key = await signingKey('http-k1');
    const jwksFile = join(mkdtempSync(join(tmpdir(), 'tempora-http-')), 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [key.jwk] }));
    metricsPort = await freePort();
    server = await startTestServer({
      metricsPort,
      configure: (config) => {
        config.authorization.enabled = true;
        config.authorization.jwtKeyProvider.keySourceUris = [pathToFileURL(jwksFile).href];
      },
    });
    base = server.server.httpAddress!;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('no token: 403 PERMISSION_DENIED with the authorizer message gRPC gets; tokens are forwarded as Authorization', async () => {
    const anonymous = await Connection.connect({ address: server.server.address });
    try {
      const grpc = await grpcFailure(anonymous.workflowService.listWorkflowExecutions({ namespace: 'default' }));
      const answer = await call(base, 'GET', '/api/v1/namespaces/default/workflows');
      expect(answer).toEqual({ status: 403, body: { code: Code.PERMISSION_DENIED, message: grpc.message } });
      expect(grpc.code).toBe(Code.PERMISSION_DENIED);
    } finally {
      await anonymous.close();
    }
    // GetSystemInfo needs no permission, over HTTP as over gRPC.
    expect((await call(base, 'GET', '/api/v1/system-info')).status).toBe(200);

    const reader = { authorization: `Bearer ${await token(key, ['default:read'])}` };
    expect((await call(base, 'GET', '/api/v1/namespaces/default/workflows', undefined, reader)).status).toBe(200);
    const start = { workflowType: { name: 'x' }, taskQueue: { name: 'nobody' } };
    const denied = await call(base, 'POST', `/api/v1/namespaces/default/workflows/${uniqueName('w')}`, start, reader);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain(
      'StartWorkflowExecution in namespace "default" needs permission default:write',
    );

    const writer = { authorization: `Bearer ${await token(key, ['default:write'])}` };
    const started = await call(base, 'POST', `/api/v1/namespaces/default/workflows/${uniqueName('w')}`, start, writer);
    expect(started.status).toBe(200);
    expect(started.body.runId).toEqual(expect.any(String));
  });

  it('counts HTTP calls in service_requests under their upstream operation names', async () => {
    const count = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('service_requests{') && l.includes('operation="GetSystemInfo"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count();
    for (let i = 0; i < 3; i++) expect((await call(base, 'GET', '/api/v1/system-info')).status).toBe(200);
    expect(await count()).toBe(before + 3);
  });
});

tempora('the HTTP API over the frontend TLS', () => {
  const certs = makeCertificates([
    ['server', 'tempora-frontend'],
    ['client', 'http-client'],
  ]);
  let server: DevServer;

  beforeAll(async () => {
    server = await startDevServer({
      port: 0,
      logLevel: 'silent',
      tls: {
        certFile: certs.file('server.pem'),
        keyFile: certs.file('server.key'),
        clientCaFiles: [certs.file('ca.pem')],
        requireClientAuth: true,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** GET over HTTPS trusting the test CA, with or without the client certificate. */
  function httpsGet(path: string, withClientCertificate: boolean): Promise<HttpAnswer> {
    const [host, port] = server.httpAddress!.split(':');
    const identity = withClientCertificate ? { cert: certs.read('client.pem'), key: certs.read('client.key') } : {};
    return new Promise((resolve, reject) => {
      const req = request({ host, port: Number(port), path, ca: certs.read('ca.pem'), ...identity }, (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Json }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves HTTPS with the frontend certificate and, as on the gRPC port, requires a client certificate', async () => {
    const answer = await httpsGet('/api/v1/system-info', true);
    expect(answer.status).toBe(200);
    expect(answer.body.serverVersion).toEqual(expect.any(String));
    await expect(httpsGet('/api/v1/system-info', false)).rejects.toThrow();
    // Plain HTTP is not served on that port.
    await expect(fetch(`http://${server.httpAddress}/api/v1/system-info`)).rejects.toThrow();
  });
});
