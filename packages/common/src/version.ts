/**
 * The Temporal server version Tempora reports (the API level it implements: the release whose API protos match the
 * pinned @temporalio/core-bridge, which SDKs and the CLI gate features on), and Tempora's own version.
 */
export const SERVER_VERSION = '1.32.0';
export const TEMPORA_VERSION = '0.1.0';
