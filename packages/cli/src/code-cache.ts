// Runs the bundled `tempora` command (one CommonJS file, scripts/bundle.mjs) with a V8 code cache beside it. Node 20
// caches no compiled code between runs (module.enableCompileCache came in Node 22), so a start would parse and
// compile the 3 MB bundle again every time; vm.Script takes V8's cached data instead. The cache is written once per
// bundle (the bundle script empties its directory): a few seconds into the first run, or at its exit if that comes
// first, so it holds the functions a start compiled. V8 rejects a cache made by another Node version or other V8
// flags; it is then written again.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Long enough for a start-dev to open its ports and serve its first calls. */
const WRITE_AFTER_MS = 5_000;

export function runBundle(bundleUrl: URL): void {
  const file = fileURLToPath(bundleUrl);
  const cacheFile = `${file}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet: this run writes it.
  }
  // The wrapper Node's CommonJS loader puts around a module; the hashbang line is not JavaScript inside it.
  const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      // A read-only install (a container image) runs without a cache; two first runs at once each rename theirs.
      const temporary = `${cacheFile}.${process.pid}`;
      try {
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        rmSync(temporary, { force: true });
      }
    };
    setTimeout(write, WRITE_AFTER_MS).unref();
    process.once('exit', write);
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, dirname(file));
}
