// ESLint flat config: typescript-eslint's recommended rules with type information, on every TypeScript file of the
// project (tsconfig.json lists them). `npm run lint` runs it after `prettier --check` (formatting is Prettier's job).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const LAYER_TOOLS = { group: ["**/tools/**"], message: "tools/ holds the commands; a layer below them cannot import one." };
const LAYER_GENERATE = { group: ["**/generate/**"], message: "generate/ holds the generators; a layer below them cannot import one." };
const LAYER_MODULES = { group: ["**/modules/**"], message: "lib/ is below the constructs: it cannot import modules/." };
const LAYER_APP = {
  group: ["**/stacks/**", "**/config/**", "**/pack/**"],
  message: "lib/ is below the app: it cannot import the stacks, the config or the rule pack.",
};

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "coverage/", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring away a field, an unused callback parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    // The layers (README, "How it fits together"): constructs (modules/), the rule pack's content (pack/) and the engine and shared
    // helpers (lib/) never import a command (tools/) or a generator (generate/); the generators import no command; lib/
    // never imports a construct, a stack, the config or the pack.
    files: ["modules/**/*.ts", "pack/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [LAYER_TOOLS, LAYER_GENERATE] }] },
  },
  {
    files: ["generate/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [LAYER_TOOLS] }] },
  },
  {
    files: ["lib/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [LAYER_TOOLS, LAYER_GENERATE, LAYER_MODULES, LAYER_APP] }] },
  },
  {
    // Tests read synthesized Terraform JSON and `terraform show -json` output, which is untyped by nature: they walk
    // it as `any` and assert on what they find (a wrong path fails the assertion). Every other rule, type-checked
    // ones included, applies to them as to the rest of the code.
    files: ["__tests__/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
