import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The published main entry is one bundled file, so a bundler can only drop a top-level zod schema an app never uses
 * when it is a pure call. Nested zod calls in a schema's arguments would still run, hence the wrapping in a pure
 * arrow call: `const X = /* @__PURE__ *\/ (() => z.object({ ... }))();`. Measured with
 * `node packages/core/scripts/bundle-size.mjs`: a vault-only import fell from 474.7 KiB to 22.8 KiB minified.
 */
const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('tree-shakable schemas', () => {
  it('every top-level zod schema of the main entry is a pure call', () => {
    const offenders: string[] = [];
    let wrapped = 0;
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file).replaceAll('\\', '/');
      if (rel.startsWith('testing') || rel.startsWith('smtp/')) continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (!/^(export )?const \w+(: [^=]+)? = /.test(line)) return;
        const rhs = line.slice(line.indexOf(' = ') + 3);
        if (rhs.startsWith('/* @__PURE__ */ (() =>')) wrapped++;
        else if (/^(z\b|\w+Schema\.)/.test(rhs)) offenders.push(`${rel}:${index + 1}`);
      });
    }
    expect(offenders).toEqual([]);
    expect(wrapped).toBeGreaterThan(20);
  });
});
