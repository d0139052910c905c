import { nodeRuntime } from './node';
import type { Runtime } from './types';

export type { PreparedHmacKey, Runtime } from './types';

/**
 * The runtime tokenkit uses, chosen once, here: the only module that names an implementation.
 * This file is the Node choice; an edge build swaps this one file (see README.md, "Choosing a
 * runtime") and nothing else in tokenkit changes.
 */
export const runtime: Runtime = nodeRuntime;
