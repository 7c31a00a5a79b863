/** What to compile: a module file, or generated source resolved from a folder. */
export type BundleRequest =
  | {
      /** Names the cached build (lower-case letters, digits, dashes). */
      readonly name: string;
      /** The entry module (TypeScript or JavaScript). */
      readonly file: string | URL;
    }
  | {
      readonly name: string;
      /** Entry source (TypeScript); its relative imports resolve from `resolveDir`. */
      readonly contents: string;
      readonly resolveDir: string;
    };

/** Where compiled modules are kept: node_modules/.cache/repscope in the project. */
export const CACHE_DIR: string;

/**
 * The URL of the compiled entry (an ES module bundling the project's modules, packages left as
 * imports): the cached build when none of its sources changed, else a fresh one.
 */
export function bundleModule(request: BundleRequest): Promise<URL>;
