/** The Temporal server version Tempora reports (the API level it implements), and Tempora's own version. */
export const SERVER_VERSION = '1.29.0';
export const TEMPORA_VERSION = '0.1.0';
