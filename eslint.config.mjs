// Lint: the recommended JS and typescript-eslint rules, plus a few that keep research
// code honest (no unused values, === only, no global random state).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "reports/", "data/", "notebooks/", ".jupyter/", "bin/", "test-results/", "gpu-bundle/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // CommonJS run directly under Node: worker boot files, the native binding's loader and build helper.
    files: ["**/*.cjs", "native/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-require-imports": "off", // lib loads optional native packages with require()
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Pass an Rng (lib/core/rng.ts) instead: no global random state." },
      ],
    },
  },
);
