export { startDevServer, devConfig, type DevServer, type DevServerOptions } from './dev-server.js';
export { startProcess, type ProcessOptions, type RunningProcess } from './process.js';
export { findUiServer, type WebUiStatus } from './web-ui.js';
