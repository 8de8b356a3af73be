// Query tasks handed to workers and waiting for RespondQueryTaskCompleted. In memory only, as upstream: a query
// lost with its matching host fails at its caller's deadline and the caller asks again.
import type { RespondQueryTaskCompletedRequest } from '@tempora/proto/workflowservice';

export class QueryTaskAnswers {
  private readonly pending = new Map<string, (answer: RespondQueryTaskCompletedRequest) => void>();

  /** Waits for the answer to task `taskId`; resolves undefined when the signal aborts first. */
  wait(taskId: string, signal: AbortSignal): Promise<RespondQueryTaskCompletedRequest | undefined> {
    return new Promise((resolve) => {
      const giveUp = () => {
        this.pending.delete(taskId);
        resolve(undefined);
      };
      if (signal.aborted) return giveUp();
      signal.addEventListener('abort', giveUp, { once: true });
      this.pending.set(taskId, (answer) => {
        signal.removeEventListener('abort', giveUp);
        this.pending.delete(taskId);
        resolve(answer);
      });
    });
  }

  /** Hands the worker's answer to the waiting query; false when nothing waits for it (expired or unknown). */
  answer(taskId: string, answer: RespondQueryTaskCompletedRequest): boolean {
    const deliver = this.pending.get(taskId);
    if (!deliver) return false;
    deliver(answer);
    return true;
  }
}
