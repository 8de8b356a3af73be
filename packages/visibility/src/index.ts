export * from './query.js';
export * from './resolve.js';
export * from './search-attributes.js';
export * from './store.js';
export * from './validate.js';
export { openSqliteVisibilityStore, type SqliteVisibilityOptions } from './sqlite/index.js';
export {
  elasticsearchClientOptions,
  openElasticsearchVisibilityStore,
  setupElasticsearchSchema,
  setupElasticsearchSchemaAt,
  visibilityMappings,
  type ElasticsearchVisibilityOptions,
} from './elasticsearch/index.js';
