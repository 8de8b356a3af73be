import type { GetSearchAttributesResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';
import { NamespaceSearchAttributes } from '@tempora/visibility';

/** The request names no namespace, so only the attributes every namespace has: system and predefined. */
export async function getSearchAttributes(): Promise<DeepPartial<GetSearchAttributesResponse>> {
  return { keys: new NamespaceSearchAttributes().system() };
}
