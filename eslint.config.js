// ESLint flat config: typescript-eslint's type-checked rules plus the project's layering rules.
// Formatting is prettier's job (`.prettierrc`); no stylistic rules here.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVICES = ['frontend', 'history', 'matching', 'worker'];

/** `no-restricted-imports` options that keep `self` (a service, or null for a package) from importing any service. */
function noServiceImports(self) {
  const others = SERVICES.filter((s) => s !== self);
  return {
    paths: others.map((name) => ({
      name: `@tempora/${name}`,
      message: 'Services talk to each other over RPC; only packages/cli and tests may import a service.',
    })),
    patterns: [
      {
        group: others.flatMap((name) => [`@tempora/${name}/*`, `**/services/${name}/**`, `**/${name}/src/**`]),
        message: 'Services talk to each other over RPC; only packages/cli and tests may import a service.',
      },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/',
      '**/node_modules/',
      'packages/proto/src/generated/',
      'packages/proto/.staging/',
      '.deps/',
      '.data/',
      '.cache/',
      'coverage/',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // The stores and handlers implement Promise-returning interfaces synchronously (SQLite, in-memory): `async` keeps
      // their throws as rejections, which is what callers of the interface handle.
      '@typescript-eslint/require-await': 'off',
      // The tree writes `xs[i]!` as if noUncheckedIndexedAccess were on; this rule would strip every one of them.
      // Turn it back on together with noUncheckedIndexedAccess.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Plain JavaScript (this file, jest.config.js, the proto generator): no tsconfig covers it, so no type information.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },

  // Layering: a package or a service never imports a service; only packages/cli and tests put services together.
  {
    files: ['packages/**/*.ts', 'bench/**/*.ts'],
    ignores: ['packages/cli/**'],
    rules: { 'no-restricted-imports': ['error', noServiceImports(null)] },
  },
  ...SERVICES.map((name) => ({
    files: [`services/${name}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', noServiceImports(name)] },
  })),

  // Generated proto modules are imported through `@tempora/proto`'s face modules, not by their generated paths.
  // (@typescript-eslint's copy of the rule, so that it does not replace the core rule's options above: two blocks
  // configuring one rule do not merge.)
  {
    files: ['**/*.ts'],
    ignores: ['packages/proto/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tempora/proto/generated/*'],
              message:
                "Import proto types through @tempora/proto's public entry points, not its generated files' paths.",
            },
          ],
        },
      ],
    },
  },
);
