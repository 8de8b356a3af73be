/** Upstream consts.IdentityHistoryService: the identity on requests and events history makes on its own behalf. */
export const HISTORY_SERVICE_IDENTITY = 'history-service';
