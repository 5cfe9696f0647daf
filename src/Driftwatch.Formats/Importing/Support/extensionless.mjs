// Module resolution hook (registered by jest_globals.mjs): a relative import without an extension,
// as Jest allows (`import { twoFer } from './two-fer'`), resolves to the .js or .mjs file; and
// '@jest/globals' to jest_globals.mjs.
export async function resolve(specifier, context, nextResolve) {
  // Newer Exercism tests import Jest's globals; jest_globals.mjs exports the same functions.
  if (specifier === '@jest/globals') return { url: new URL('./jest_globals.mjs', import.meta.url).href, shortCircuit: true };
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!/^\.{1,2}\//.test(specifier) || /\.[cm]?js$/.test(specifier)) throw error;
    for (const extension of ['.js', '.mjs', '/index.js']) {
      try {
        return await nextResolve(specifier + extension, context);
      } catch {
        // try the next one
      }
    }
    throw error;
  }
}
