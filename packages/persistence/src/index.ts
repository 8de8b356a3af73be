export * from './contract.js';
export * from './errors.js';
export { openSqliteStores, type SqliteOptions } from './sqlite/index.js';
