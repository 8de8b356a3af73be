// Search attributes as upstream defines them (common/searchattribute/sadefs): types, system and predefined names,
// reserved names, the per-namespace custom attributes and their limits, and how values travel as payloads.
//
// Custom attributes are stored the way upstream's SQL visibility stores them: each namespace maps its own names
// (aliases) onto preallocated fields (Keyword01..Keyword10, Int01..Int03 ...) recorded in the namespace config's
// custom_search_attribute_aliases. Both stores index the preallocated fields, so adding an attribute never changes
// a schema or a mapping, and a removed attribute's old values can never leak into a new one.
import { IndexedValueType, WorkflowExecutionStatus } from '@tempora/proto/enums';
import type { Payload } from '@tempora/proto/common';

export { IndexedValueType };

/** Upstream's type names (IndexedValueType.String() in Go), used in messages and payload metadata. */
export const TYPE_NAMES: Record<number, string> = {
  [IndexedValueType.INDEXED_VALUE_TYPE_TEXT]: 'Text',
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]: 'Keyword',
  [IndexedValueType.INDEXED_VALUE_TYPE_INT]: 'Int',
  [IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE]: 'Double',
  [IndexedValueType.INDEXED_VALUE_TYPE_BOOL]: 'Bool',
  [IndexedValueType.INDEXED_VALUE_TYPE_DATETIME]: 'Datetime',
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST]: 'KeywordList',
};

export function typeName(type: IndexedValueType): string {
  return TYPE_NAMES[type] ?? 'Unspecified';
}

const {
  INDEXED_VALUE_TYPE_KEYWORD: KEYWORD,
  INDEXED_VALUE_TYPE_INT: INT,
  INDEXED_VALUE_TYPE_DATETIME: DATETIME,
} = IndexedValueType;

/** System attributes: set by the server from the execution, never by users. */
export const SYSTEM_SEARCH_ATTRIBUTES: Readonly<Record<string, IndexedValueType>> = {
  WorkflowId: KEYWORD,
  RunId: KEYWORD,
  WorkflowType: KEYWORD,
  StartTime: DATETIME,
  ExecutionTime: DATETIME,
  CloseTime: DATETIME,
  ExecutionStatus: KEYWORD,
  TaskQueue: KEYWORD,
  HistoryLength: INT,
  ExecutionDuration: INT,
  StateTransitionCount: INT,
  HistorySizeBytes: INT,
  ParentWorkflowId: KEYWORD,
  ParentRunId: KEYWORD,
  RootWorkflowId: KEYWORD,
  RootRunId: KEYWORD,
};

/** Predefined attributes: defined in every namespace; SDKs and system workflows set the allowed ones. */
export const PREDEFINED_SEARCH_ATTRIBUTES: Readonly<Record<string, IndexedValueType>> = {
  TemporalChangeVersion: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BinaryChecksums: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BuildIds: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  BatcherNamespace: KEYWORD,
  BatcherUser: KEYWORD,
  TemporalScheduledStartTime: DATETIME,
  TemporalScheduledById: KEYWORD,
  TemporalSchedulePaused: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  TemporalNamespaceDivision: KEYWORD,
  TemporalPauseInfo: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  TemporalReportedProblems: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  TemporalWorkerDeploymentVersion: KEYWORD,
  TemporalWorkflowVersioningBehavior: KEYWORD,
  TemporalWorkerDeployment: KEYWORD,
  TemporalUsedWorkerDeploymentVersions: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  TemporalExternalPayloadCount: INT,
  TemporalExternalPayloadSizeBytes: INT,
};

/** The predefined attributes a user (or SDK) may set; the others belong to server features. */
const USER_SETTABLE_PREDEFINED = new Set([
  'TemporalChangeVersion',
  'BinaryChecksums',
  'BuildIds',
  'BatcherNamespace',
  'BatcherUser',
  'TemporalScheduledStartTime',
  'TemporalScheduledById',
  'TemporalSchedulePaused',
  'TemporalNamespaceDivision',
  'TemporalPauseInfo',
  'TemporalReportedProblems',
]);

const RESERVED_NAMES = new Set(['NamespaceId', 'MemoEncoding', 'Memo', 'VisibilityTaskKey']);
const RESERVED_PREFIX = 'Temporal';

/** Upstream's number of preallocated custom fields per type (defaultNumDBCustomSearchAttributes). */
export const CUSTOM_FIELDS_PER_TYPE: Readonly<Record<number, number>> = {
  [IndexedValueType.INDEXED_VALUE_TYPE_BOOL]: 3,
  [IndexedValueType.INDEXED_VALUE_TYPE_INT]: 3,
  [IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE]: 3,
  [IndexedValueType.INDEXED_VALUE_TYPE_DATETIME]: 3,
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]: 10,
  [IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST]: 3,
  [IndexedValueType.INDEXED_VALUE_TYPE_TEXT]: 3,
};

/** Upstream's write limits (frontend.searchAttributes* dynamic config defaults). */
export const SEARCH_ATTRIBUTE_LIMITS = {
  numberOfKeys: 100,
  sizeOfValueBytes: 2 * 1024,
  totalSizeBytes: 40 * 1024,
} as const;

/** Every preallocated custom field with its type: Bool01..Bool03, ..., Keyword01..Keyword10, ... */
export const CUSTOM_FIELDS: ReadonlyArray<{ field: string; type: IndexedValueType }> = Object.entries(
  CUSTOM_FIELDS_PER_TYPE,
).flatMap(([type, count]) =>
  Array.from({ length: count }, (_, i) => ({
    field: `${typeName(Number(type))}${String(i + 1).padStart(2, '0')}`,
    type: Number(type) as IndexedValueType,
  })),
);
const CUSTOM_FIELD_TYPES = new Map(CUSTOM_FIELDS.map((f) => [f.field, f.type]));

export function isUserSettablePredefined(name: string): boolean {
  return USER_SETTABLE_PREDEFINED.has(name);
}

export function isSystemSearchAttribute(name: string): boolean {
  return name in SYSTEM_SEARCH_ATTRIBUTES;
}

/** A name no user attribute may take (sadefs.IsReserved). */
export function isReservedSearchAttributeName(name: string): boolean {
  return (
    name in SYSTEM_SEARCH_ATTRIBUTES ||
    name in PREDEFINED_SEARCH_ATTRIBUTES ||
    RESERVED_NAMES.has(name) ||
    name.startsWith(RESERVED_PREFIX)
  );
}

/**
 * A namespace's view of its search attributes: system and predefined ones plus its custom aliases
 * (custom_search_attribute_aliases: field -> alias).
 */
export class NamespaceSearchAttributes {
  private readonly aliasToField = new Map<string, string>();

  constructor(readonly fieldToAlias: Readonly<Record<string, string>> = {}) {
    for (const [field, alias] of Object.entries(fieldToAlias)) {
      if (alias && CUSTOM_FIELD_TYPES.has(field)) this.aliasToField.set(alias, field);
    }
  }

  /** Custom attributes by alias. */
  custom(): Record<string, IndexedValueType> {
    return Object.fromEntries([...this.aliasToField].map(([alias, field]) => [alias, CUSTOM_FIELD_TYPES.get(field)!]));
  }

  /** System and predefined attributes (what ListSearchAttributes reports as system). */
  system(): Record<string, IndexedValueType> {
    return { ...SYSTEM_SEARCH_ATTRIBUTES, ...PREDEFINED_SEARCH_ATTRIBUTES };
  }

  /** Resolves a name used in a query or a write to its stored field and type; undefined when not defined. */
  resolve(
    name: string,
  ): { field: string; type: IndexedValueType; category: 'system' | 'predefined' | 'custom' } | undefined {
    const system = SYSTEM_SEARCH_ATTRIBUTES[name];
    if (system !== undefined) return { field: name, type: system, category: 'system' };
    const predefined = PREDEFINED_SEARCH_ATTRIBUTES[name];
    if (predefined !== undefined) return { field: name, type: predefined, category: 'predefined' };
    const field = this.aliasToField.get(name);
    return field ? { field, type: CUSTOM_FIELD_TYPES.get(field)!, category: 'custom' } : undefined;
  }

  /** The name a stored field is shown under: its alias for custom fields, itself otherwise. */
  aliasOf(field: string): string | undefined {
    if (!CUSTOM_FIELD_TYPES.has(field)) return field in PREDEFINED_SEARCH_ATTRIBUTES ? field : undefined;
    const alias = this.fieldToAlias[field];
    return alias || undefined;
  }

  /**
   * Allocates fields for new aliases (AddSearchAttributes). Returns the field -> alias entries to add; names that
   * exist already are skipped, as upstream does. Throws SearchAttributeLimitError when a type has no free field.
   */
  allocate(requested: Record<string, IndexedValueType>): Record<string, string> {
    const taken = new Set(this.aliasToField.values());
    const added: Record<string, string> = {};
    for (const [alias, type] of Object.entries(requested)) {
      if (this.aliasToField.has(alias)) continue;
      const fields = CUSTOM_FIELDS.filter((f) => f.type === type);
      const free = fields.find((f) => !taken.has(f.field));
      if (!free) throw new SearchAttributeLimitError(fields.length, type);
      taken.add(free.field);
      added[free.field] = alias;
    }
    return added;
  }
}

export class SearchAttributeLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly type: IndexedValueType,
  ) {
    super(
      `Unable to create search attributes: cannot have more than ${limit} search attribute of type ${typeName(type)}.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/** A typed value as stored: Datetime values are normalized RFC 3339 strings with nanoseconds, in UTC. */
export type SearchAttributeValue = string | number | boolean | string[];

export class SearchAttributeValueError extends Error {}

/** Decodes a json/plain payload to a value of the type; undefined means "unset" (null or an empty list). */
export function decodeSearchAttributeValue(payload: Payload, type: IndexedValueType): SearchAttributeValue | undefined {
  let raw: unknown;
  try {
    raw = payload.data.length ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : null;
  } catch {
    throw new SearchAttributeValueError(`value from <${Buffer.from(payload.data).toString('utf8')}>`);
  }
  if (raw === null) return undefined;
  if (type === IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST) {
    const list = Array.isArray(raw) ? raw : [raw];
    if (!list.every((v) => typeof v === 'string')) throw new SearchAttributeValueError(JSON.stringify(raw));
    return list.length ? (list as string[]) : undefined;
  }
  // Older SDKs send every value as a list; a single element stands for itself.
  if (Array.isArray(raw)) {
    if (raw.length === 0) return undefined;
    if (raw.length !== 1) throw new SearchAttributeValueError(JSON.stringify(raw));
    raw = raw[0];
  }
  const value = coerceValue(raw, type);
  if (value === undefined) throw new SearchAttributeValueError(JSON.stringify(raw));
  return value;
}

/** A scalar of the right JS type for the attribute type, or undefined. */
export function coerceValue(raw: unknown, type: IndexedValueType): SearchAttributeValue | undefined {
  switch (type) {
    case IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD:
    case IndexedValueType.INDEXED_VALUE_TYPE_TEXT:
    case IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST:
      return typeof raw === 'string' ? raw : undefined;
    case IndexedValueType.INDEXED_VALUE_TYPE_INT:
      return typeof raw === 'number' && Number.isInteger(raw) ? raw : undefined;
    case IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE:
      return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
    case IndexedValueType.INDEXED_VALUE_TYPE_BOOL:
      return typeof raw === 'boolean' ? raw : undefined;
    case IndexedValueType.INDEXED_VALUE_TYPE_DATETIME:
      return typeof raw === 'string' ? normalizeDatetime(raw) : undefined;
    default:
      return undefined;
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * RFC 3339 (with up to nanosecond precision) to the stored form "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" in UTC, whose
 * string order is time order. Undefined when the string is not a valid datetime.
 */
export function normalizeDatetime(text: string): string | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = m[7] ?? '';
  const zone = m[8]!;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const offsetMinutes = /^[Zz]$/.test(zone)
    ? 0
    : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000);
  return `${date.toISOString().slice(0, 19)}.${fraction.padEnd(9, '0')}Z`;
}

/** Epoch milliseconds to the stored datetime form. */
export function datetimeFromMs(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

/** The stored datetime form back to epoch milliseconds. */
export function datetimeToMs(value: string): number {
  return Date.parse(`${value.slice(0, 23)}Z`);
}

/** A value as a json/plain payload with upstream's `type` metadata, as SDKs decode typed search attributes. */
export function encodeSearchAttributeValue(value: SearchAttributeValue, type: IndexedValueType): Payload {
  const shown =
    type === IndexedValueType.INDEXED_VALUE_TYPE_DATETIME && typeof value === 'string' ? trimDatetime(value) : value;
  return {
    metadata: {
      encoding: Buffer.from('json/plain'),
      type: Buffer.from(typeName(type)),
    },
    data: Buffer.from(JSON.stringify(shown)),
    externalPayloads: [],
  };
}

/** RFC 3339 without trailing zero fractions, as Go's time.RFC3339Nano prints it. */
function trimDatetime(value: string): string {
  return value.replace(/\.?0+Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------------------------
// Execution status as a keyword (upstream's enum String())
// ---------------------------------------------------------------------------------------------------------------

const STATUS_NAMES: Record<number, string> = {
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING]: 'Running',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED]: 'Completed',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED]: 'Failed',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'Canceled',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'Terminated',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW]: 'ContinuedAsNew',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'TimedOut',
};
const STATUS_BY_NAME = new Map(
  Object.entries(STATUS_NAMES).map(([n, name]) => [name, Number(n) as WorkflowExecutionStatus]),
);

export function statusName(status: WorkflowExecutionStatus): string {
  return STATUS_NAMES[status] ?? 'Unspecified';
}

export function statusFromName(name: string): WorkflowExecutionStatus | undefined {
  return STATUS_BY_NAME.get(name);
}
