// The `activity` oneof of PauseActivity / UnpauseActivity / ResetActivity / UpdateActivityOptions, checked as
// upstream's frontend does before history is called.
import { invalidArgument } from '@tempora/rpc';

export function validateActivitySelector(selector: { id?: string; type?: string; all?: boolean }): void {
  if (!selector.id && !selector.type && !selector.all) {
    throw invalidArgument('Either Activity.Id or Activity.Type should be set on request.');
  }
}
