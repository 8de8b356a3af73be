// Reading a counter from a Prometheus /metrics endpoint (text exposition format 0.0.4).

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const UNESCAPE: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/** `name{label="value",...} value [timestamp]` lines; comments, blank lines and timestamps are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const [index, rawLine] of text.split('\n').entries()) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const fail = (why: string) => new Error(`metrics line ${index + 1}: ${why}: ${line}`);
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw fail('no metric name');
    let at = name.length;
    const labels: Record<string, string> = {};
    if (line[at] === '{') {
      at++;
      for (;;) {
        while (line[at] === ' ' || line[at] === ',') at++;
        if (line[at] === '}') break;
        const label = /^[a-zA-Z_][a-zA-Z0-9_]*="/.exec(line.slice(at))?.[0];
        if (!label) throw fail('bad label');
        at += label.length;
        let value = '';
        for (; line[at] !== '"'; at++) {
          if (at >= line.length) throw fail('unterminated label value');
          value += line[at] === '\\' ? (UNESCAPE[line[++at]] ?? `\\${line[at]}`) : line[at];
        }
        labels[label.slice(0, -2)] = value;
        at++;
      }
      at++;
    }
    const valueText = line.slice(at).trim().split(/\s+/)[0];
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (valueText === '' || (Number.isNaN(value) && valueText !== 'NaN')) throw fail('bad value');
    samples.push({ name, labels, value });
  }
  return samples;
}

/** A counter summed over all its label sets, and per value of one label. */
export interface CounterTotals {
  total: number;
  by: Record<string, number>;
}

/**
 * Sums the counter `name` (also under the `_total` suffix that OpenMetrics-style exporters append) over every label
 * set, and per value of `byLabel`.
 */
export function sumCounter(samples: readonly Sample[], name: string, byLabel: string): CounterTotals {
  const totals: CounterTotals = { total: 0, by: {} };
  for (const sample of samples) {
    if (sample.name !== name && sample.name !== `${name}_total`) continue;
    totals.total += sample.value;
    const key = sample.labels[byLabel] ?? '';
    totals.by[key] = (totals.by[key] ?? 0) + sample.value;
  }
  return totals;
}

/** after - before, per label value too (a value that first appears in `after` counts from 0). */
export function counterDelta(before: CounterTotals, after: CounterTotals): CounterTotals {
  const by: Record<string, number> = {};
  for (const [key, value] of Object.entries(after.by)) {
    const delta = value - (before.by[key] ?? 0);
    if (delta) by[key] = delta;
  }
  return { total: after.total - before.total, by };
}

const SCRAPE_TIMEOUT_MS = 10_000;

export async function scrapeCounter(url: string, name: string, byLabel: string): Promise<CounterTotals> {
  const response = await fetch(url, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return sumCounter(parsePrometheusText(await response.text()), name, byLabel);
}
