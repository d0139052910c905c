// `#runtime` is package.json's subpath import: the portable runtime under the `workerd`,
// `edge-light`, `worker` and `browser` conditions (Cloudflare Workers, Vercel's edge runtime,
// browsers' bundlers), the Node runtime otherwise (Node, Bun and Deno, which have node:crypto).
// In this repository (tsc, tsx, jest) it maps to the Node runtime: tsconfig.json `paths`, jest's
// moduleNameMapper. See README.md, "Choosing a runtime".
import { runtime as chosen } from '#runtime';
import type { Runtime } from './types';

export type { PreparedHmacKey, Runtime } from './types';

/**
 * The runtime tokenkit uses, chosen once, when this module loads: the only module that reaches an
 * implementation (through `#runtime`), so an edge bundle never holds node.ts.
 */
export const runtime: Runtime = chosen;
