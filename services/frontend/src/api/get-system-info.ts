import { SERVER_VERSION } from '@tempora/common';
import type { GetSystemInfoResponse } from '@tempora/proto/workflowservice';
import type { DeepPartial } from '@tempora/rpc';

/** Capabilities the SDKs read; each is true only where the behaviour behind it is implemented. */
export async function getSystemInfo(): Promise<DeepPartial<GetSystemInfoResponse>> {
  return {
    serverVersion: SERVER_VERSION,
    capabilities: {
      // Headers, failures and SDK metadata are stored verbatim with the events that carry them.
      signalAndQueryHeader: true,
      encodedFailureAttributes: true,
      sdkMetadata: true,
      activityFailureIncludeHeartbeat: true,
      // INTERNAL is used only for server faults, never for request errors.
      internalErrorDifferentiation: true,
      upsertMemo: true,
      supportsSchedules: true,
      buildIdBasedVersioning: false,
      eagerWorkflowStart: true,
      countGroupByExecutionStatus: true,
      nexus: false,
      serverScaledDeployments: false,
    },
  };
}
