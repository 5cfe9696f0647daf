// Driftwatch's code-quality scorer for JavaScript (docs/scorers.md). ESLint runs with this file
// given explicitly (--config), never a configuration found in the linted workspace.
// Lint findings: ESLint's recommended rules with Node's globals. Complexity: the `complexity` rule
// at 0, so that every function reports its cyclomatic complexity (read back from the message).
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.node, ...globals.commonjs },
    },
    linterOptions: { reportUnusedDisableDirectives: "off", noInlineConfig: true },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
  },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    rules: { complexity: ["warn", { max: 0 }] },
  },
];
