// Workflows of the visibility tests: search attributes and memo changed from workflow code.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { ApplicationFailure, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';

const keyword = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const int = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);

/** Upserts a keyword and an int attribute and the memo, then completes. */
export async function upsertingWorkflow(tag: string, amount: number): Promise<string> {
  upsertSearchAttributes([
    { key: keyword, value: tag },
    { key: int, value: amount },
  ]);
  upsertMemo({ note: `memo-${tag}` });
  return tag;
}

/** Upserts an attribute the namespace does not define: the workflow task fails with BadSearchAttributes. */
export async function undefinedAttributeWorkflow(): Promise<void> {
  upsertSearchAttributes([
    { key: defineSearchAttributeKey('NotDefinedAnywhere', SearchAttributeType.KEYWORD), value: 'x' },
  ]);
}

export async function failingVisibilityWorkflow(): Promise<never> {
  throw ApplicationFailure.nonRetryable('failed on purpose', 'TestFailure');
}
