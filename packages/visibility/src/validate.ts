// Upstream's checks on search attributes a client writes (StartWorkflowExecution, UpsertWorkflowSearchAttributes):
// common/searchattribute/validator.go Validate and ValidateSize, with its messages.
import { Payload, type SearchAttributes } from '@tempora/proto/common';
import {
  SEARCH_ATTRIBUTE_LIMITS,
  SearchAttributeValueError,
  decodeSearchAttributeValue,
  isUserSettablePredefined,
  typeName,
  type NamespaceSearchAttributes,
} from './search-attributes.js';

export class SearchAttributeValidationError extends Error {
  override name = 'SearchAttributeValidationError';
}

export function validateSearchAttributes(
  searchAttributes: SearchAttributes | undefined,
  attributes: NamespaceSearchAttributes,
): void {
  const fields = Object.entries(searchAttributes?.indexedFields ?? {});
  if (!fields.length) return;
  if (fields.length > SEARCH_ATTRIBUTE_LIMITS.numberOfKeys) {
    throw new SearchAttributeValidationError(
      `number of search attributes ${fields.length} exceeds limit ${SEARCH_ATTRIBUTE_LIMITS.numberOfKeys}`,
    );
  }
  for (const [name, payload] of fields) {
    const resolved = attributes.resolve(name);
    if (resolved?.category === 'system' || (resolved?.category === 'predefined' && !isUserSettablePredefined(name))) {
      throw new SearchAttributeValidationError(`${name} attribute can't be set in SearchAttributes`);
    }
    if (!resolved) throw new SearchAttributeValidationError(`search attribute ${name} is not defined`);
    try {
      decodeSearchAttributeValue(payload, resolved.type);
    } catch (err) {
      if (!(err instanceof SearchAttributeValueError)) throw err;
      throw new SearchAttributeValidationError(
        `invalid value for search attribute ${name} of type ${typeName(resolved.type)}: ${err.message}`,
      );
    }
  }
  let total = 0;
  for (const [name, payload] of fields) {
    if (payload.data.length > SEARCH_ATTRIBUTE_LIMITS.sizeOfValueBytes) {
      throw new SearchAttributeValidationError(
        `search attribute ${name} value size ${payload.data.length} exceeds size limit ${SEARCH_ATTRIBUTE_LIMITS.sizeOfValueBytes}`,
      );
    }
    total += name.length + Payload.encode(payload).finish().length;
  }
  if (total > SEARCH_ATTRIBUTE_LIMITS.totalSizeBytes) {
    throw new SearchAttributeValidationError(
      `total size of search attributes ${total} exceeds size limit ${SEARCH_ATTRIBUTE_LIMITS.totalSizeBytes}`,
    );
  }
}
