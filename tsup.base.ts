import { defineConfig, type Options } from 'tsup';

/** Shared build: ESM + CJS with separate .d.ts / .d.cts, one entry per public subpath. */
export function packageBuild(entry: Record<string, string>, overrides: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
