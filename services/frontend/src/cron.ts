// Cron schedule syntax check. Upstream parses with robfig/cron's ParseStandard: five fields, optionally after a
// CRON_TZ= or TZ= zone, or one of the @ descriptors. A sixth, leading seconds field is accepted too, as the common
// JavaScript parsers do. The frontend only rejects what can never run; computing fire times is history's job.

interface FieldSpec {
  min: number;
  max: number;
  /** Names accepted in place of numbers (lower case), numbered from `min`. */
  names?: string[];
}

const SECOND: FieldSpec = { min: 0, max: 59 };
const MINUTE: FieldSpec = { min: 0, max: 59 };
const HOUR: FieldSpec = { min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { min: 1, max: 31 };
const MONTH: FieldSpec = {
  min: 1,
  max: 12,
  names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
};
const DAY_OF_WEEK: FieldSpec = { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };

const FIVE_FIELDS = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
const SIX_FIELDS = [SECOND, ...FIVE_FIELDS];

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
/** A Go time.ParseDuration string, e.g. 90s, 1h30m, 1.5h. */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const ZONE_PREFIX = /^(CRON_TZ|TZ)=\S+\s+/;
const ITEM = /^(\*|\?|[0-9a-z]+(-[0-9a-z]+)?)(\/(\d+))?$/;

export function isValidCronSchedule(schedule: string): boolean {
  const spec = schedule.trim().replace(ZONE_PREFIX, '');
  if (spec.startsWith('@every ')) return GO_DURATION.test(spec.slice('@every '.length).trim());
  if (spec.startsWith('@')) return DESCRIPTORS.has(spec);
  const fields = spec.split(/\s+/);
  const specs = fields.length === 5 ? FIVE_FIELDS : fields.length === 6 ? SIX_FIELDS : undefined;
  return !!specs && fields.every((field, i) => isValidField(field.toLowerCase(), specs[i]!));
}

function isValidField(field: string, spec: FieldSpec): boolean {
  return field.split(',').every((item) => {
    const match = ITEM.exec(item);
    if (!match) return false;
    const [, range = '', , , step] = match;
    if (step !== undefined && Number(step) === 0) return false;
    if (range === '*' || range === '?') return true;
    const [from, to = from] = range.split('-').map((value) => fieldValue(value, spec));
    return from !== undefined && to !== undefined && from <= to;
  });
}

function fieldValue(value: string, spec: FieldSpec): number | undefined {
  const named = spec.names?.indexOf(value) ?? -1;
  const number = named >= 0 ? spec.min + named : /^\d+$/.test(value) ? Number(value) : NaN;
  return number >= spec.min && number <= spec.max ? number : undefined;
}
