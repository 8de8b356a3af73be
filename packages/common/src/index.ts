export * from './config.js';
export * from './cron.js';
export * from './duration.js';
export * from './logger.js';
export * from './version.js';
export * from './tls.js';
export * from './scheduler.js';
export * from './namespace-deletion.js';
