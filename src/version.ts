// Replaced at bundle time by scripts/build.mjs (esbuild `define`); the fallbacks serve tests run from source.
declare const __SUBSETD_VERSION__: string | undefined;
declare const __SUBSETD_COMMIT__: string | undefined;

export const VERSION = typeof __SUBSETD_VERSION__ === 'string' ? __SUBSETD_VERSION__ : '0.0.0-dev';
export const COMMIT = typeof __SUBSETD_COMMIT__ === 'string' ? __SUBSETD_COMMIT__ : 'unknown';
