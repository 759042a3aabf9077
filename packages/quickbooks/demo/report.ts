import { fromMinorUnits, type Money } from '@blueclerk/core';

/**
 * How the demo talks: numbered steps, indented details, a progress bar, and checks that stop the run with a clear
 * message when something does not behave as described. Everything printed is also kept, so the run can prove at
 * the end that no secret reached the screen.
 */

/** A step did not behave as the demo says it should. `run.ts` prints it and exits non-zero. */
export class DemoCheckFailed extends Error {
  override readonly name = 'DemoCheckFailed';
}

export interface Report {
  step(title: string): void;
  line(text: string): void;
  /** `label ........ value`, aligned. */
  detail(label: string, value: string | number): void;
  /** Stops the demo (throws `DemoCheckFailed`) unless `condition` holds; prints a tick when it does. */
  check(condition: unknown, what: string): asserts condition;
  /** A single-line progress bar; on a terminal it redraws in place, elsewhere it prints one line per update. */
  progress(label: string, done: number, total: number | null): void;
  endProgress(): void;
  /** Everything printed so far. */
  transcript(): string;
}

const BAR_WIDTH = 28;
const LABEL_WIDTH = 26;

export function createReport(
  out: { write(text: string): unknown; isTTY?: boolean } = process.stdout,
  options: { color?: boolean } = {},
): Report {
  const chunks: string[] = [];
  // NO_COLOR (https://no-color.org) turns colours off even on a terminal.
  const color = options.color ?? (Boolean(out.isTTY) && !process.env.NO_COLOR);
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  let stepNo = 0;
  let progressOpen = false;

  const write = (text: string) => {
    chunks.push(text);
    out.write(text);
  };
  const closeProgress = () => {
    if (progressOpen && out.isTTY) write('\n');
    progressOpen = false;
  };
  const say = (text: string) => {
    closeProgress();
    write(`${text}\n`);
  };

  return {
    step(title) {
      stepNo += 1;
      say('');
      say(paint('1', `${stepNo}. ${title}`));
    },
    line(text) {
      say(`   ${text}`);
    },
    detail(label, value) {
      say(`   ${`${label} `.padEnd(LABEL_WIDTH, '.')} ${value}`);
    },
    check(condition, what) {
      if (!condition) throw new DemoCheckFailed(`Step ${stepNo}: expected ${what}`);
      say(`   ${paint('32', 'ok')} ${what}`);
    },
    progress(label, done, total) {
      const known = total !== null && total > 0;
      const ratio = known ? Math.min(done / total, 1) : 0;
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = known ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]` : '[ ... ]';
      const text = `   ${label.padEnd(10)} ${bar} ${done}${known ? `/${total}` : ''}`;
      if (out.isTTY) {
        write(`\r${text}`);
        progressOpen = true;
      } else {
        write(`${text}\n`);
      }
    },
    endProgress() {
      closeProgress();
    },
    transcript() {
      return chunks.join('');
    },
  };
}

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = { USD: '$', CAD: 'CA$', EUR: '€', GBP: '£' };

/** `{ amount: 123450, currency: 'USD' }` -> `$1,234.50`. Integer minor units in, exact digits out. */
export function formatMoney(value: Money): string {
  const text = fromMinorUnits(Math.abs(value.amount), value.currency);
  const [whole = '0', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const symbol = CURRENCY_SYMBOLS[value.currency];
  const digits = fraction === undefined ? grouped : `${grouped}.${fraction}`;
  const sign = value.amount < 0 ? '-' : '';
  return symbol ? `${sign}${symbol}${digits}` : `${sign}${digits} ${value.currency}`;
}

/** Shows the shape of a long value without revealing it: `bcv2.demo-run.Xo3k…(212 chars)`. */
export function truncate(value: string, keep = 24): string {
  return value.length <= keep ? value : `${value.slice(0, keep)}…(${value.length} chars)`;
}
