/** Upstream consts.IdentityHistoryService: the identity on requests and events history makes on its own behalf. */
export const HISTORY_SERVICE_IDENTITY = 'history-service';

/** Upstream consts.IdentityResetter: the identity on the termination of the run a reset replaces. */
export const RESETTER_IDENTITY = 'history-resetter';
