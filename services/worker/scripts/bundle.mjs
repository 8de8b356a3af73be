/* global URL */
// Bundles the worker service's workflows (dist/workflows) into dist/workflow-bundle.js at build time, so a
// starting server loads the bundle instead of running webpack.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const workflowsPath = fileURLToPath(new URL('../dist/workflows/index.js', import.meta.url));
const out = fileURLToPath(new URL('../dist/workflow-bundle.js', import.meta.url));
const { code } = await bundleWorkflowCode({
  workflowsPath,
  logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
});
await writeFile(out, code);
console.log(`wrote ${out} (${Math.round(code.length / 1024)} KiB)`);
