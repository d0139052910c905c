// Runs a snippet as its reader would: compiled to CommonJS, with the prelude's names in scope,
// against a fresh emulator, with TOKENKIT_* naming that emulator.
import { Server } from 'node:net';
import ts from 'typescript';
import * as tokenkit from 'tokenkit';
import * as tokenkitClient from 'tokenkit/client';
import * as tokenkitEmulator from 'tokenkit/emulator';
import type { Snippet } from './extract';
import { PRELUDE_NAMES, createPrelude } from './prelude';
import { snippetCompilerOptions } from './typecheck';

/** The longest a snippet may take; a snippet that starts a server and never stops it fails here. */
export const SNIPPET_TIME_LIMIT_MS = 10_000;

// The package's entries resolve to the modules this test loaded, so a snippet's classes are the
// prelude's classes (one copy, as in a real install). `tokenkit/nest` is loaded only when asked for.
const ENTRIES: Record<string, () => unknown> = {
  tokenkit: () => tokenkit,
  'tokenkit/client': () => tokenkitClient,
  'tokenkit/emulator': () => tokenkitEmulator,
  'tokenkit/nest': () => require('tokenkit/nest'),
  'tokenkit/fastify': () => require('tokenkit/fastify'),
};

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => AsyncFn;

/** Compiles a snippet to a function of (require, exports, module, console, ...prelude names). */
export function compileSnippet(snippet: Snippet): AsyncFn {
  const options = snippetCompilerOptions();
  const out = ts.transpileModule(snippet.code, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: options.experimentalDecorators ?? false,
      emitDecoratorMetadata: options.emitDecoratorMetadata ?? false,
    },
    fileName: 'snippet.ts',
  });
  // The body goes in a block of its own, so a snippet may declare a name the prelude also has
  // (`const client = new ServerClient(...)`): it shadows the prelude's, as in a module of its own.
  return new AsyncFunction('require', 'exports', 'module', 'console', ...PRELUDE_NAMES, `'use strict';\n{\n${out.outputText}\n}`);
}

/** What a snippet printed with console.log/error (kept out of the test output, shown on failure). */
export interface SnippetOutput {
  lines: string[];
}

function capturingConsole(output: SnippetOutput): Pick<Console, 'log' | 'error' | 'warn' | 'info'> {
  const push = (...args: unknown[]): void => {
    output.lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  return { log: push, error: push, warn: push, info: push };
}

/**
 * Calls `fn` while recording every server that starts listening. A snippet must not leave one
 * listening (a test run never binds a fixed port, and an open server keeps jest from exiting):
 * such servers are closed, and named in the error. Snippets that serve forever are marked `no-run`.
 */
async function withoutStrayServers(fn: () => Promise<void>): Promise<void> {
  const started: Server[] = [];
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    started.push(this);
    return (listen as (...a: unknown[]) => Server).apply(this, args);
  } as typeof listen;
  let failure: unknown;
  try {
    await fn();
  } catch (err) {
    failure = err;
  } finally {
    Server.prototype.listen = listen;
  }
  const stray = started.filter((s) => s.listening);
  const where = stray.map((s) => JSON.stringify(s.address())).join(', ');
  for (const s of stray) s.close();
  if (failure !== undefined) throw failure;
  if (stray.length > 0) {
    throw new Error(`the snippet left ${stray.length} server(s) listening (${where}): close them, or mark the block no-run`);
  }
}

/** Runs one snippet against a fresh emulator; rejects with the snippet's error, or after the time limit. */
export async function runSnippet(snippet: Snippet, output: SnippetOutput = { lines: [] }): Promise<SnippetOutput> {
  const fn = compileSnippet(snippet);
  const { globals, close } = await createPrelude();
  const saved = { key: process.env['TOKENKIT_API_KEY'], secret: process.env['TOKENKIT_API_SECRET'], url: process.env['TOKENKIT_BASE_URL'] };
  process.env['TOKENKIT_API_KEY'] = globals.apiKey;
  process.env['TOKENKIT_API_SECRET'] = globals.apiSecret;
  process.env['TOKENKIT_BASE_URL'] = globals.baseUrl;
  const snippetRequire = (id: string): unknown => (ENTRIES[id] ? ENTRIES[id]() : require(id));
  const module = { exports: {} };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      withoutStrayServers(() => fn(snippetRequire, module.exports, module, capturingConsole(output), ...PRELUDE_NAMES.map((n) => globals[n]))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`snippet did not finish within ${SNIPPET_TIME_LIMIT_MS} ms`)), SNIPPET_TIME_LIMIT_MS);
      }),
    ]);
    return output;
  } finally {
    clearTimeout(timer);
    for (const [name, value] of [['TOKENKIT_API_KEY', saved.key], ['TOKENKIT_API_SECRET', saved.secret], ['TOKENKIT_BASE_URL', saved.url]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await close();
  }
}
