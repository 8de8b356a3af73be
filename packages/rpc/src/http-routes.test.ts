// The HTTP API's route table (generated from the google.api.http annotations) and its JSON conventions: path
// matching, both upstream bindings per method, query parameters by field type, payload shorthand both ways.
import { describe, expect, it } from '@jest/globals';
import type { JsonObject } from '@bufbuild/protobuf';
import { HTTP_RULES } from '@tempora/proto/http';
import { Code, RpcError } from './errors.js';
import { HttpJsonCodec, goJson } from './http-json.js';
import { HttpRouteTable, compileRoute } from './http-routes.js';

const table = new HttpRouteTable(HTTP_RULES);
const codec = new HttpJsonCodec();

function found(method: string, path: string) {
  const match = table.match(method, path);
  if (match.kind !== 'found') throw new Error(`${method} ${path}: ${match.kind}`);
  return {
    method: match.route.method,
    params: Object.fromEntries([...match.params].map(([field, value]) => [field.join('.'), value])),
  };
}

describe('HTTP routes from the google.api.http annotations', () => {
  it('has both bindings of every annotated method of WorkflowService and OperatorService', () => {
    const start = HTTP_RULES.filter((r) => r.method === 'StartWorkflowExecution').map((r) => [r.httpMethod, r.path]);
    expect(start).toEqual([
      ['POST', '/namespaces/{namespace}/workflows/{workflow_id}'],
      ['POST', '/api/v1/namespaces/{namespace}/workflows/{workflow_id}'],
    ]);
    expect(HTTP_RULES.some((r) => r.service === 'OperatorService' && r.method === 'ListSearchAttributes')).toBe(true);
    // Streaming-free, and nothing internal: only the two public services.
    expect(new Set(HTTP_RULES.map((r) => r.service))).toEqual(new Set(['WorkflowService', 'OperatorService']));
    expect(table.routes).toHaveLength(HTTP_RULES.length);
  });

  it('matches paths to methods and fills the path variables (percent-decoded)', () => {
    expect(found('POST', '/api/v1/namespaces/default/workflows/w1')).toEqual({
      method: 'StartWorkflowExecution',
      params: { namespace: 'default', workflow_id: 'w1' },
    });
    expect(found('GET', '/api/v1/namespaces/default/workflows/a%2Fb/history')).toEqual({
      method: 'GetWorkflowExecutionHistory',
      params: { namespace: 'default', 'execution.workflow_id': 'a/b' },
    });
    expect(found('POST', '/api/v1/namespaces/ns/workflows/w/query/state')).toEqual({
      method: 'QueryWorkflow',
      params: { namespace: 'ns', 'execution.workflow_id': 'w', 'query.query_type': 'state' },
    });
    expect(found('GET', '/cluster/namespaces/default').method).toBe('DescribeNamespace');
    expect(found('GET', '/api/v1/namespaces/default/').method).toBe('DescribeNamespace');
    expect(found('GET', '/api/v1/system-info').method).toBe('GetSystemInfo');
  });

  it('has no two templates of one HTTP method that fit the same path (so the first match is the only one)', () => {
    const overlapping: string[] = [];
    const routes = table.routes;
    for (const a of routes) {
      for (const b of routes) {
        if (a === b || a.httpMethod !== b.httpMethod || a.segments.length !== b.segments.length) continue;
        const fits = a.segments.every((s, i) => {
          const t = b.segments[i]!;
          return !('literal' in s) || !('literal' in t) || s.literal === t.literal;
        });
        if (fits) overlapping.push(`${a.httpMethod} ${a.path} ~ ${b.path}`);
      }
    }
    expect(overlapping).toEqual([]);
    expect(found('GET', '/api/v1/namespaces/default/workflow-count').method).toBe('CountWorkflowExecutions');
    expect(found('GET', '/api/v1/namespaces/default/workflows').method).toBe('ListWorkflowExecutions');
  });

  it('tells an unknown path from a known path with another HTTP method', () => {
    expect(table.match('GET', '/api/v1/nope').kind).toBe('not-found');
    expect(table.match('GET', '/api/v1/namespaces/default/workflows/w1/signal/s').kind).toBe('method-not-allowed');
    expect(table.match('DELETE', '/api/v1/system-info').kind).toBe('method-not-allowed');
    expect(table.match('GET', '/api/v1/namespaces//workflows').kind).toBe('not-found');
    expect(table.match('GET', '/api/v1/namespaces/%E0%A4%A/workflows').kind).toBe('not-found');
  });

  it('refuses templates it cannot serve (wildcards, custom verbs) when the table is built', () => {
    const rule = { ...HTTP_RULES[0]!, path: '/v1/{name=things/*}' };
    expect(() => compileRoute(rule)).toThrow(/unsupported HTTP path segment/);
    expect(() => compileRoute({ ...rule, path: 'v1/x' })).toThrow(/must start with \//);
  });
});

const START = 'temporal.api.workflowservice.v1.StartWorkflowExecutionRequest';
const SIGNALED = 'temporal.api.history.v1.WorkflowExecutionSignaledEventAttributes';
const b64 = (s: string) => Buffer.from(s).toString('base64');

function roundTrip(json: JsonObject, shorthandIn = true, shorthandOut = true) {
  const bytes = codec.encodeRequest(START, json, { shorthand: shorthandIn });
  return codec.decodeResponse(START, bytes, { shorthand: shorthandOut }) as JsonObject;
}

describe('HTTP JSON', () => {
  it('accepts proto and JSON field names and enum names or numbers; emits camelCase, enum names, int64 strings', () => {
    const out = roundTrip({ workflow_id: 'w', taskQueue: { name: 'q', kind: 2 }, workflowRunTimeout: '90s' });
    expect(out).toEqual({
      workflowId: 'w',
      taskQueue: { name: 'q', kind: 'TASK_QUEUE_KIND_STICKY' },
      workflowRunTimeout: '90s',
    });
  });

  it('refuses unknown fields and wrong types with INVALID_ARGUMENT naming them', () => {
    const bad = (json: JsonObject) => {
      try {
        codec.encodeRequest(START, json, { shorthand: true });
      } catch (err) {
        return [(err as RpcError).code, (err as RpcError).message];
      }
      throw new Error('accepted');
    };
    expect(bad({ bogus: 1 })).toEqual([Code.INVALID_ARGUMENT, expect.stringContaining('key "bogus" is unknown')]);
    expect(bad({ taskQueue: 5 })).toEqual([Code.INVALID_ARGUMENT, expect.stringContaining('TaskQueue')]);
  });

  it('reads shorthand payloads as upstream: any JSON is json/plain, null is binary/null, full payloads stay', () => {
    const full = { metadata: { encoding: b64('binary/plain') }, data: b64('hi') };
    const out = roundTrip({ input: [{ z: 1, a: '<&>' }, 'text', null, full] }, true, false);
    expect(out.input).toEqual({
      payloads: [
        { metadata: { encoding: b64('json/plain') }, data: b64('{"a":"\\u003c\\u0026\\u003e","z":1}') },
        { metadata: { encoding: b64('json/plain') }, data: b64('"text"') },
        { metadata: { encoding: b64('binary/null') } },
        full,
      ],
    });
    const proto = roundTrip({ input: [{ _protoMessageType: 'foo.Bar', x: 1 }] }, true, false);
    expect(proto.input).toEqual({
      payloads: [{ metadata: { encoding: b64('json/protobuf'), messageType: b64('foo.Bar') }, data: b64('{"x":1}') }],
    });
    // Payload maps (memo, header) take shorthand too; with shorthand off a bare array is an error.
    expect(roundTrip({ memo: { fields: { m: 7 } } }, true, false).memo).toEqual({
      fields: { m: { metadata: { encoding: b64('json/plain') }, data: b64('7') } },
    });
    expect(() => codec.encodeRequest(START, { input: [1] }, { shorthand: false })).toThrow(RpcError);
  });

  it('renders payloads in shorthand when every one has one, else the full form with each shortened if it can', () => {
    expect(roundTrip({ input: [{ a: 1 }, null, { _protoMessageType: 'foo.Bar', x: 1 }] }).input).toEqual([
      { a: 1 },
      { metadata: { encoding: b64('binary/null') } },
      { x: 1, _protoMessageType: 'foo.Bar' },
    ]);
    const binary = { metadata: { encoding: b64('binary/plain') }, data: b64('hi') };
    expect(roundTrip({ input: [binary, 'x'] }).input).toEqual({ payloads: [binary, 'x'] });
    // json/plain with more metadata than the encoding is not shortened (search attributes carry a type).
    const typed = { metadata: { encoding: b64('json/plain'), type: b64('Keyword') }, data: b64('"k"') };
    expect(roundTrip({ memo: { fields: { t: typed } } }).memo).toEqual({ fields: { t: typed } });
    expect(roundTrip({ input: [] }).input).toEqual([]);
  });

  it('renders payloads inside an Any (error details) and nested messages', () => {
    const attrs = codec.encodeRequest(SIGNALED, { signalName: 's', input: [true] }, { shorthand: true });
    expect(codec.decodeResponse(SIGNALED, attrs, { shorthand: true })).toEqual({ signalName: 's', input: [true] });
  });

  it('sets fields from URL strings by their type, and refuses malformed values naming the field', () => {
    const list = 'temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest';
    const json: JsonObject = {};
    expect(codec.setFromString(list, json, ['pageSize'], ['5'])).toBe(true);
    expect(codec.setFromString(list, json, ['next_page_token'], ['YWI='])).toBe(true);
    expect(codec.setFromString(list, json, ['bogus'], ['1'])).toBe(false);
    expect(json).toEqual({ pageSize: 5, nextPageToken: 'YWI=' });
    expect(() => codec.setFromString(list, {}, ['page_size'], ['x'])).toThrow(
      'parsing field "page_size": "x" is not an integer',
    );
    const history = 'temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest';
    const nested: JsonObject = { execution: { runId: 'r' } };
    codec.setFromString(history, nested, ['execution', 'workflow_id'], ['w']);
    codec.setFromString(history, nested, ['waitNewEvent'], ['true']);
    expect(nested).toEqual({ execution: { runId: 'r', workflowId: 'w' }, waitNewEvent: true });
    expect(() => codec.setFromString(history, {}, ['waitNewEvent'], ['yes'])).toThrow('is not a bool');
  });

  it('writes payload data as Go encoding/json does (sorted keys, HTML escaped)', () => {
    expect(goJson({ b: [1, { d: 1, c: 2 }], a: '<\u2028>' })).toBe(
      '{"a":"\\u003c\\u2028\\u003e","b":[1,{"c":2,"d":1}]}',
    );
  });
});
