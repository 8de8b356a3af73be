// The HTTP API's JSON: proto3 JSON (camelCase emitted, camelCase and proto names accepted, enums by name, int64 as
// strings) read and written with protobuf-es over the Temporal API descriptor set, plus upstream's payload shorthand
// (api-go's payload_json.go): a Payload may be written as any JSON value (`"input": [{"x": 1}]` is one json/plain
// payload), and json/plain, json/protobuf and binary/null payloads are rendered back that way unless the caller asks
// for no shorthand. Requests and responses cross to the handlers as protobuf bytes, so the handlers see exactly
// what a gRPC call would give them.
import {
  createFileRegistry,
  fromBinary,
  fromJson,
  toBinary,
  toJson,
  ScalarType,
  type DescField,
  type DescMessage,
  type FileRegistry,
  type JsonObject,
  type JsonValue,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { TEMPORAL_API_DESCRIPTORS } from '@tempora/proto/http';
import { invalidArgument } from './errors.js';

const PAYLOAD = 'temporal.api.common.v1.Payload';
const PAYLOADS = 'temporal.api.common.v1.Payloads';
const ANY = 'google.protobuf.Any';
/** A shorthand object carrying this key is a json/protobuf payload of that message type (upstream's key). */
const MESSAGE_TYPE_KEY = '_protoMessageType';
const BINARY_NULL_B64 = Buffer.from('binary/null').toString('base64');

export interface JsonOptions {
  /** Payload shorthand on (upstream's default) or off (`application/json+no-payload-shorthand`). */
  shorthand: boolean;
}

export class HttpJsonCodec {
  readonly registry: FileRegistry;

  constructor() {
    const set = fromBinary(FileDescriptorSetSchema, Buffer.from(TEMPORAL_API_DESCRIPTORS, 'base64'));
    this.registry = createFileRegistry(set);
  }

  message(typeName: string): DescMessage {
    const desc = this.registry.getMessage(typeName);
    if (!desc) throw new Error(`message type ${typeName} is not in the Temporal API descriptor set`);
    return desc;
  }

  /** A request's JSON (body, path and query parameters merged) as protobuf bytes; bad JSON is INVALID_ARGUMENT. */
  encodeRequest(typeName: string, json: JsonValue, options: JsonOptions): Uint8Array {
    const desc = this.message(typeName);
    const canonical = options.shorthand ? this.expandShorthand(desc, json) : json;
    try {
      return toBinary(desc, fromJson(desc, canonical, { registry: this.registry }));
    } catch (err) {
      throw invalidArgument((err as Error).message);
    }
  }

  /** Protobuf bytes of `typeName` as upstream's HTTP API renders them. */
  decodeResponse(typeName: string, bytes: Uint8Array, options: JsonOptions): JsonValue {
    const desc = this.message(typeName);
    const json = toJson(desc, fromBinary(desc, bytes), { registry: this.registry });
    return options.shorthand ? this.renderShorthand(desc, json) : json;
  }

  /**
   * Sets the field at `path` (proto or JSON names) of a request JSON object from a URL string (a path variable or a
   * query parameter), converted by the field's type as grpc-gateway does. Repeated fields collect every value.
   */
  setFromString(typeName: string, target: JsonObject, path: readonly string[], values: readonly string[]): boolean {
    let desc = this.message(typeName);
    let object = target;
    for (let i = 0; i < path.length; i++) {
      const field = findField(desc, path[i]!);
      if (!field) return false;
      const existing = field.name in object ? field.name : field.jsonName;
      if (i < path.length - 1) {
        if (field.fieldKind !== 'message') return false;
        const child = object[existing];
        const next: JsonObject = isObject(child) ? child : {};
        delete object[field.name];
        object[field.jsonName] = next;
        object = next;
        desc = field.message;
        continue;
      }
      delete object[field.name];
      if (field.fieldKind === 'list') {
        object[field.jsonName] = values.map((v) => scalarFromString(field, v));
      } else if (field.fieldKind === 'scalar' || field.fieldKind === 'enum' || field.fieldKind === 'message') {
        object[field.jsonName] = scalarFromString(field, values[values.length - 1]!);
      } else {
        return false;
      }
    }
    return true;
  }

  private expandShorthand(desc: DescMessage, json: JsonValue): JsonValue {
    if (desc.typeName === PAYLOADS) {
      if (Array.isArray(json)) return { payloads: json.map(payloadFromShorthand) };
      if (isObject(json) && Array.isArray(json.payloads))
        return { ...json, payloads: json.payloads.map(payloadFromShorthand) };
      return json;
    }
    if (desc.typeName === PAYLOAD) return payloadFromShorthand(json);
    return this.walk(desc, json, (d, v) => this.expandShorthand(d, v));
  }

  private renderShorthand(desc: DescMessage, json: JsonValue): JsonValue {
    if (desc.typeName === PAYLOADS) {
      const payloads = isObject(json) && Array.isArray(json.payloads) ? json.payloads : [];
      const rendered = payloads.map(payloadToShorthand);
      // An array only when every payload has a shorthand; otherwise the full form, each payload shortened if it can.
      if (rendered.every((r) => r.handled)) return rendered.map((r) => r.value);
      return { ...(json as JsonObject), payloads: rendered.map((r) => r.value) };
    }
    if (desc.typeName === PAYLOAD) return payloadToShorthand(json).value;
    return this.walk(desc, json, (d, v) => this.renderShorthand(d, v));
  }

  /** Applies `transform` to every message-typed value under `json` (fields, lists, map values, Any contents). */
  private walk(desc: DescMessage, json: JsonValue, transform: (d: DescMessage, v: JsonValue) => JsonValue): JsonValue {
    if (!isObject(json)) return json;
    if (desc.typeName === ANY) {
      const typeUrl = json['@type'];
      const inner = typeof typeUrl === 'string' ? this.registry.getMessage(typeUrl.split('/').pop() ?? '') : undefined;
      // Well-known types inside an Any keep their JSON under "value"; only Temporal messages carry payloads.
      if (!inner || inner.typeName.startsWith('google.protobuf.')) return json;
      const { '@type': _, ...rest } = json;
      return { '@type': typeUrl!, ...(transform(inner, rest) as JsonObject) };
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(json)) {
      const field = findField(desc, key);
      if (!field || value === null) {
        out[key] = value;
        continue;
      }
      if (field.fieldKind === 'message') out[key] = transform(field.message, value);
      else if (field.fieldKind === 'list' && field.listKind === 'message' && Array.isArray(value))
        out[key] = value.map((v) => transform(field.message, v));
      else if (field.fieldKind === 'map' && field.mapKind === 'message' && isObject(value))
        out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, transform(field.message, v)]));
      else out[key] = value;
    }
    return out;
  }
}

function findField(desc: DescMessage, key: string): DescField | undefined {
  return desc.fields.find((f) => f.jsonName === key || f.name === key);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A URL string as the JSON value of a field; wrong syntax names the field (upstream: `parsing field "page_size"`). */
function scalarFromString(field: DescField, value: string): JsonValue {
  const bad = (what: string) => invalidArgument(`parsing field "${field.name}": "${value}" is not ${what}`);
  const scalar = field.fieldKind === 'scalar' || field.fieldKind === 'list' ? field.scalar : undefined;
  if (scalar === undefined) return value; // enums (by name or number) and well-known types take their JSON string
  switch (scalar) {
    case ScalarType.BOOL:
      if (value !== 'true' && value !== 'false') throw bad('a bool');
      return value === 'true';
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      if (!/^-?\d+$/.test(value)) throw bad('an integer');
      return Number(value);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      if (!/^-?\d+$/.test(value)) throw bad('an integer');
      return value;
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      if (value.trim() === '' || Number.isNaN(Number(value))) throw bad('a number');
      return Number(value);
    default:
      return value;
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function isBase64(value: unknown): value is string {
  return typeof value === 'string' && BASE64.test(value);
}

/**
 * A request's payload, shorthand or not (upstream's rules): an object that is a well-formed standard payload
 * (base64 `metadata` with an `encoding`, and base64 `data` or a binary/null encoding) stays one; null is binary/null;
 * an object with `_protoMessageType` is json/protobuf of that type; anything else is json/plain.
 */
function payloadFromShorthand(value: JsonValue): JsonValue {
  if (value === null) return { metadata: { encoding: BINARY_NULL_B64 } };
  if (isObject(value)) {
    if (isStandardPayload(value)) return value;
    const messageType = value[MESSAGE_TYPE_KEY];
    if (messageType !== undefined) {
      if (typeof messageType !== 'string') throw invalidArgument(`${MESSAGE_TYPE_KEY} must be a string`);
      const { [MESSAGE_TYPE_KEY]: _, ...rest } = value;
      return jsonPayload(rest, { encoding: 'json/protobuf', messageType });
    }
  }
  return jsonPayload(value, { encoding: 'json/plain' });
}

function isStandardPayload(value: JsonObject): boolean {
  const metadata = value.metadata;
  if (!isObject(metadata) || !isBase64(metadata.encoding)) return false;
  if (!('data' in value)) return metadata.encoding === BINARY_NULL_B64;
  return Object.keys(value).length === 2 && isBase64(value.data) && Object.values(metadata).every(isBase64);
}

function jsonPayload(value: JsonValue, metadata: Record<string, string>): JsonObject {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, b64(v)])),
    data: b64(goJson(value)),
  };
}

/**
 * JSON as Go's encoding/json writes a decoded value, which is what upstream stores as the payload's data: object
 * keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped.
 */
export function goJson(value: JsonValue): string {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k]!)]),
  );
}

/** A response's payload in shorthand when upstream has one for it; `handled` false means the full form. */
function payloadToShorthand(json: JsonValue): { handled: boolean; value: JsonValue } {
  if (!isObject(json) || !isObject(json.metadata)) return { handled: false, value: json };
  const metadata = Object.fromEntries(
    Object.entries(json.metadata).map(([k, v]) => [
      k,
      Buffer.from(typeof v === 'string' ? v : '', 'base64').toString('utf8'),
    ]),
  );
  const keys = Object.keys(metadata).length;
  const data = () => Buffer.from(typeof json.data === 'string' ? json.data : '', 'base64').toString('utf8');
  try {
    switch (metadata.encoding) {
      case 'binary/null':
        return { handled: true, value: { metadata: { encoding: BINARY_NULL_B64 } } };
      case 'json/plain':
        if (keys === 1) return { handled: true, value: JSON.parse(data()) as JsonValue };
        break;
      case 'json/protobuf': {
        if (keys !== 2 || !metadata.messageType) break;
        const parsed = JSON.parse(data()) as JsonValue;
        if (isObject(parsed)) return { handled: true, value: { ...parsed, [MESSAGE_TYPE_KEY]: metadata.messageType } };
        break;
      }
    }
  } catch {
    // Data that is not JSON keeps its full form.
  }
  return { handled: false, value: json };
}
