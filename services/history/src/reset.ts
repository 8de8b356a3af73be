export async function resetWorkflow(..._args: unknown[]): Promise<string> {
  throw new Error('todo');
}
