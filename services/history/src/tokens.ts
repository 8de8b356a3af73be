import { ActivityTaskToken, WorkflowTaskToken } from '@tempora/proto/internal';
import { invalidArgument } from '@tempora/rpc';

export function encodeWorkflowTaskToken(token: WorkflowTaskToken): Buffer {
  return Buffer.from(WorkflowTaskToken.encode(token).finish());
}

export function decodeWorkflowTaskToken(bytes: Uint8Array): WorkflowTaskToken {
  try {
    return WorkflowTaskToken.decode(bytes);
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
}

export function encodeActivityTaskToken(token: ActivityTaskToken): Buffer {
  return Buffer.from(ActivityTaskToken.encode(token).finish());
}

export function decodeActivityTaskToken(bytes: Uint8Array): ActivityTaskToken {
  try {
    return ActivityTaskToken.decode(bytes);
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
}
