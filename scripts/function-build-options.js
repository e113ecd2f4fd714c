// The esbuild options of the Lambda bundles, shared by scripts/build.js (which writes them) and the service bench
// (bench/service.ts, which rebuilds them in memory for esbuild's metafile), so the two cannot drift apart.

/** Every output file gets it (chunks too): bundled CommonJS packages call `require`, which ESM lacks. */
export const REQUIRE_BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/** Where the bundles go: one folder per handler, and the package.json that makes them all ESM. */
export const FUNCTIONS_OUT = 'dist/functions';

/**
 * One handler, `functions/<name>.ts`, into `dist/functions/<name>/`: `index.js` (the Lambda handler module,
 * `dist/functions/<name>/index.handler`) and the chunks it imports, minified, the AWS SDK bundled (pinned by
 * the lock file, not the runtime's copy). Split so that code loaded with `import()` (the SSM client, needed
 * only for a policy file in Parameter Store) is a chunk of its own, left unparsed at cold start.
 * @param {string} name the handler's file name without `.ts`
 */
export function functionBuildOptions(name) {
  return {
    entryPoints: { index: `functions/${name}.ts` },
    outdir: `${FUNCTIONS_OUT}/${name}`,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    splitting: true,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
  };
}

/**
 * What one handler's build wrote (paths as in esbuild's metafile): `statics`, what a cold start loads (index.js and
 * the chunks it imports, transitively), and `lazy`, the chunks reached only through `import()`, loaded when that
 * code runs. Any other output is a chunk esbuild wrote for an `import()` in code it then dropped (e.g. the SDK's
 * browser user-agent parser): nothing loads it.
 * @param {import('esbuild').Metafile} metafile
 * @param {string} name the handler's file name without `.ts`
 */
export function functionOutputs(metafile, name) {
  const { outputs } = metafile;
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === `functions/${name}.ts`);
  if (!entry) throw new Error(`esbuild wrote no output for functions/${name}.ts`);
  /** @param {string[]} kinds */
  const closure = (kinds) => {
    /** @type {Set<string>} */
    const seen = new Set();
    /** @param {string} path */
    const visit = (path) => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const i of outputs[path]?.imports ?? []) if (!i.external && kinds.includes(i.kind)) visit(i.path);
    };
    visit(entry);
    return seen;
  };
  const statics = closure(['import-statement']);
  const lazy = [...closure(['import-statement', 'dynamic-import'])].filter((path) => !statics.has(path));
  return { entry, statics: [...statics], lazy };
}
