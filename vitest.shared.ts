/**
 * Vitest settings shared by every workspace package: resolve sibling packages to their TypeScript sources (the
 * `@beyond-backprop/source` export condition) so tests never need a prior build.
 */
export const sourceConditions = {
  resolve: { conditions: ['@beyond-backprop/source', 'import', 'module', 'default'] },
  ssr: { resolve: { conditions: ['@beyond-backprop/source', 'import', 'module', 'default'], externalConditions: ['@beyond-backprop/source'] } },
};
