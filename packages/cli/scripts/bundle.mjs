/* global URL */
// Bundles the compiled `tempora` command (dist/main.js and every workspace module it imports) into one CommonJS
// file, dist/bundle/tempora.cjs, so a starting server loads one file instead of some 550 (resolving and linking each
// module file costs more than compiling it) and dist/bundle/tempora.mjs can run it with a V8 code cache
// (src/code-cache.ts). Lazily imported modules (the Cassandra store, the OpenTelemetry SDKs, the worker service's
// activities) are evaluated only when first imported.
//
// What stays outside the bundle, required from where it is installed:
// - CommonJS packages (better-sqlite3, pino, ...) but those in BUNDLED_COMMONJS: some read files beside themselves
//   (__dirname, pino's transports) or load native addons;
// - the Temporal SDK (@temporalio/*): native, and loaded by the worker service after the frontend listens.
// pnpm installs each package's dependencies beside it, out of reach of the bundle's directory, so an external import
// is rewritten to the relative path of the file it resolved to at build time; `pnpm install` rebuilds the bundle.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Another directory (the test of the bundle builds its own) may be given as the first argument.
const outdir = process.argv[2] ? resolve(process.argv[2]) : fileURLToPath(new URL('../dist/bundle/', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = join(dist, 'main.js');

const relativeSpecifier = (from, to) => {
  const path = relative(from, to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
};

/** ESM unless the nearest package.json says otherwise (or the file is .mjs / .cjs). */
const esmCache = new Map();
async function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (esmCache.has(dir)) return esmCache.get(dir);
    const manifest = await readFile(`${dir}/package.json`, 'utf8').then(JSON.parse, () => undefined);
    if (manifest) {
      const esm = manifest.type === 'module';
      esmCache.set(dir, esm);
      return esm;
    }
  }
  return false;
}

// Pure-JS CommonJS packages every start loads, bundled so that the code cache covers them too (grpc-js alone is
// some 40 files). The Temporal SDK talks to the server over its own native connection, so the copy of grpc-js it
// may load from node_modules never meets this one's objects.
const BUNDLED_COMMONJS = ['@grpc/grpc-js', '@js-sdsl/ordered-map', 'commander'];

const externals = {
  name: 'installed-externals',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolving || args.kind === 'entry-point' || args.path.startsWith('node:')) return;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      if (resolved.errors.length || !resolved.path) return { errors: resolved.errors };
      // The ESM face of a dual package may import its CommonJS build by a relative path: that is checked too.
      const installed = resolved.path.includes(`${sep}node_modules${sep}`) && !args.path.startsWith('@tempora/');
      if (resolved.external || !installed) return resolved;
      if (!resolved.path.includes(`${sep}@temporalio${sep}`) && (await isEsm(resolved.path))) return resolved;
      if (BUNDLED_COMMONJS.some((name) => resolved.path.includes(`${sep}node_modules${sep}${name}${sep}`)))
        return resolved;
      return { path: relativeSpecifier(outdir, resolved.path), external: true };
    });
  },
};

// Workspace modules find files beside themselves (the worker's prebuilt workflow bundle, the Web UI binary, the
// config loader's require): their import.meta.url stays the URL of the file they were compiled to.
const ownUrls = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/(packages|services)\/[^/]+\/dist\/.*\.js$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return;
      const contents = await readFile(args.path, 'utf8');
      if (!contents.includes('import.meta.url')) return;
      const url = `new URL(${JSON.stringify(relativeSpecifier(outdir, args.path))}, import.meta.url).href`;
      return { contents: contents.replaceAll('import.meta.url', url), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { tempora: entry },
  outdir,
  bundle: true,
  format: 'cjs',
  // Lazily imported modules stay lazy: esbuild runs a bundled module's body only when it is first imported, and
  // dynamic imports of installed CommonJS packages become require().
  supported: { 'dynamic-import': false },
  // ESM semantics inside a CommonJS file: strict mode, and import.meta.url (ownUrls below) is the bundle's URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "'use strict';\nvar __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [externals, ownUrls],
});
// dist/tempora.js runs the bundle only while it is newer than what tsc -b last wrote in each of these packages.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*\/(?:packages|services)\/[^/]+)\/dist\//.exec(resolve(input));
  if (match && !match[1].includes(`${sep}node_modules${sep}`)) packages.add(match[1]);
}
const buildInfos = [...packages].sort().map((dir) => relativeSpecifier(dist, join(dir, 'tsconfig.tsbuildinfo')));
await writeFile(join(outdir, 'inputs.json'), `${JSON.stringify(buildInfos, null, 2)}\n`);
// The entry dist/tempora.js imports: it runs tempora.cjs with the V8 code cache (src/code-cache.ts).
await writeFile(
  join(outdir, 'tempora.mjs'),
  `import { runBundle } from '${relativeSpecifier(outdir, join(dist, 'code-cache.js'))}';\n` +
    `runBundle(new URL('./tempora.cjs', import.meta.url));\n`,
);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(
  `bundled ${inputs} modules into ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.cjs')).length} files in ${outdir}`,
);
