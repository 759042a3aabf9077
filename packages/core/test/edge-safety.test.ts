import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');
// Entry points that are Node-only by design and excluded from the main entry.
const NODE_ONLY = ['smtp/', 'testing-node/'];
const NODE_ONLY_PACKAGES = [
  'nodemailer',
  'smtp-server',
  'pg',
  'ioredis',
  'express',
  'fs',
  'path',
  'crypto',
  'http',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('edge safety of the main entry', () => {
  it('no runtime file outside the Node-only entry points imports a Node built-in or Node-only package', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file).replaceAll('\\', '/');
      if (NODE_ONLY.some((prefix) => rel.startsWith(prefix))) continue;
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import\(|require\()\s*['"]([^'"]+)['"]/g)) {
        const specifier = match[1] ?? '';
        if (specifier.startsWith('node:') || NODE_ONLY_PACKAGES.includes(specifier.split('/')[0] ?? '')) {
          offenders.push(`${rel}: ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
