// The package must run where the scheduler workflow runs: the Temporal SDK's workflow sandbox, a V8 context without
// Node's globals (no process, Buffer, TextEncoder, timers). Load the built modules into a bare vm context, with
// Date.now and Math.random poisoned, and compute a DST-crossing, jittered schedule there.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { compileSpec, matchingTimes } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

// vm.SourceTextModule is behind --experimental-vm-modules, which the test command passes.
interface SourceTextModule {
  link(linker: (specifier: string, referencing: SourceTextModule) => SourceTextModule): Promise<void>;
  evaluate(): Promise<void>;
  namespace: Record<string, unknown>;
  identifier: string;
}
type SourceTextModuleClass = new (
  source: string,
  options: { context: vm.Context; identifier: string },
) => SourceTextModule;

describe('in a bare vm context', () => {
  it('computes the same times without Node globals, Date.now or Math.random', async () => {
    const context = vm.createContext({});
    vm.runInContext(
      `Date.now = () => { throw new Error('Date.now called'); };
       Math.random = () => { throw new Error('Math.random called'); };`,
      context,
    );
    expect(vm.runInContext('typeof process + typeof Buffer + typeof TextEncoder + typeof require', context)).toBe(
      'undefinedundefinedundefinedundefined',
    );
    const Module = (vm as unknown as { SourceTextModule: SourceTextModuleClass }).SourceTextModule;
    const modules = new Map<string, SourceTextModule>();
    const load = (path: string): SourceTextModule => {
      let mod = modules.get(path);
      if (!mod) {
        mod = new Module(readFileSync(path, 'utf8'), { context, identifier: path });
        modules.set(path, mod);
      }
      return mod;
    };
    const root = load(join(here, 'index.js'));
    await root.link((specifier, referencing) => {
      if (!specifier.startsWith('./')) throw new Error(`non-relative import ${specifier}`);
      return load(join(dirname(referencing.identifier), specifier));
    });
    await root.evaluate();
    const sandboxed = root.namespace as { compileSpec: typeof compileSpec; matchingTimes: typeof matchingTimes };

    const spec = {
      cronString: ['CRON_TZ=America/New_York 30 1,2 * * *', '@every 7h/5m'],
      excludeCalendar: [{ dayOfWeek: 'sat', hour: '*', minute: '*', second: '*' }],
      jitter: '90s',
    };
    const start = Date.parse('2026-03-06T00:00:00Z');
    const end = Date.parse('2026-11-03T00:00:00Z');
    // The '@every' string has no CRON_TZ, so the zone must come from timezone_name.
    const bad = () => sandboxed.compileSpec(spec);
    expect(bad).toThrow('conflicting timezone names');
    const ok = { ...spec, cronString: ['30 1,2 * * *', '@every 7h/5m'], timezoneName: 'America/New_York' };
    const inside = sandboxed.matchingTimes(sandboxed.compileSpec(ok), start, end, 'ns-id-sched');
    const outside = matchingTimes(compileSpec(ok), start, end, 'ns-id-sched');
    expect(inside).toHaveLength(1000);
    expect(inside).toEqual(outside);
  });
});
