#!/usr/bin/env node
// The `tempora` command's entry: the bundle `pnpm build` makes (scripts/bundle.mjs) when it is at least as new as
// every compiled package it was made from, else the compiled modules (dist/main.js). The bundle starts faster: Node
// resolves and links a few files instead of some 550. After `tsc -b` alone the bundle is older than the rebuilt
// packages' tsbuildinfo and the modules run, so a stale bundle never runs.
import { readFileSync, statSync } from 'node:fs';

const BUNDLE = new URL('./bundle/tempora.mjs', import.meta.url);
/** Written by the bundle script: the tsbuildinfo files of the packages in the bundle, relative to this directory. */
const INPUTS = new URL('./bundle/inputs.json', import.meta.url);

function bundleIsFresh(): boolean {
  try {
    const built = statSync(BUNDLE).mtimeMs;
    const inputs = JSON.parse(readFileSync(INPUTS, 'utf8')) as string[];
    return inputs.every((input) => statSync(new URL(input, import.meta.url)).mtimeMs <= built);
  } catch {
    return false;
  }
}

await import(bundleIsFresh() ? BUNDLE.href : new URL('./main.js', import.meta.url).href);
