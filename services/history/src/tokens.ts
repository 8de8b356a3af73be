import { ActivityTaskToken, WorkflowTaskToken } from '@tempora/proto/internal';
import { encodeToBuffer } from '@tempora/proto/wire';
import { invalidArgument } from '@tempora/rpc';

export function encodeWorkflowTaskToken(token: WorkflowTaskToken): Buffer {
  return encodeToBuffer(WorkflowTaskToken, token);
}

export function decodeWorkflowTaskToken(bytes: Uint8Array): WorkflowTaskToken {
  try {
    return WorkflowTaskToken.decode(bytes);
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
}

export function encodeActivityTaskToken(token: ActivityTaskToken): Buffer {
  return encodeToBuffer(ActivityTaskToken, token);
}

export function decodeActivityTaskToken(bytes: Uint8Array): ActivityTaskToken {
  try {
    return ActivityTaskToken.decode(bytes);
  } catch {
    throw invalidArgument('Error deserializing task token.');
  }
}
