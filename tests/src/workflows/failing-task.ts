// A broken build of taskFailureWorkflow (see features.ts): a plain Error thrown by workflow code fails the workflow
// task rather than the workflow, so a worker running this bundle fails every workflow task of the workflow.
export async function taskFailureWorkflow(): Promise<string> {
  throw new Error('task failure');
}
