// Types of function-build-options.js, for the TypeScript that imports it (bench/service.ts, tests).
import type { BuildOptions, Metafile } from 'esbuild';

export declare const REQUIRE_BANNER: string;
export declare const FUNCTIONS_OUT: string;
export declare function functionBuildOptions(name: string): BuildOptions & { outdir: string };
export declare function functionOutputs(
  metafile: Metafile,
  name: string,
): { entry: string; statics: string[]; lazy: string[] };
