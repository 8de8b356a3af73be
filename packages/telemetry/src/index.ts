export * from './metrics.js';
export * from './interceptor.js';
export * from './persistence.js';
export * from './http.js';
export * from './tracing.js';
export * from './otlp-metrics.js';
export * from './client.js';
