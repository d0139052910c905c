// Type-checks snippets as modules of their own, against the project's sources (the paths of
// tsconfig.json map 'tokenkit', 'tokenkit/emulator', ... to src/), in one TypeScript program.
// Snippets are virtual files: nothing is written to disk.
import { join } from 'node:path';
import ts from 'typescript';
import type { Snippet } from './extract';
import { preludeDeclarations } from './prelude';

export const ROOT = join(__dirname, '..', '..');
export const ENTRY_POINTS = ['src/index.ts', 'src/emulator/index.ts', 'src/user-client/index.ts', 'src/nest/index.ts', 'src/fastify/index.ts'].map((p) => join(ROOT, p));
const VIRTUAL_DIR = join(ROOT, '__snippets__');
const PRELUDE_FILE = join(VIRTUAL_DIR, 'prelude.d.ts');

/** The project's compiler options, as a bundler-style ESM module so that snippets may `await` at top level. */
export function snippetCompilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
  };
}

/** A program of the entry points only: to find the public symbols and their @example blocks. */
export function entryProgram(options: ts.CompilerOptions = snippetCompilerOptions()): ts.Program {
  return ts.createProgram({ rootNames: ENTRY_POINTS, options });
}

/** One diagnostic in a snippet, placed at its line in the markdown or source file. */
export interface SnippetError {
  where: string;
  origin: string;
  message: string;
}

/** A snippet as a module: `export {}` keeps a snippet without imports from being a global script. */
function moduleText(snippet: Snippet): string {
  return `${snippet.code}\nexport {};\n`;
}

/** Type-checks every snippet; reuses `oldProgram` (the entry program) for the sources. */
export function typeCheckSnippets(snippets: readonly Snippet[], oldProgram?: ts.Program): SnippetError[] {
  const options = oldProgram?.getCompilerOptions() ?? snippetCompilerOptions();
  const virtual = new Map<string, { text: string; snippet?: Snippet }>();
  virtual.set(PRELUDE_FILE, { text: preludeDeclarations('../__tests__/docs/prelude') });
  snippets.forEach((snippet, i) => {
    const base = snippet.file.replace(/[^A-Za-z0-9]+/g, '_');
    virtual.set(join(VIRTUAL_DIR, `${base}_${snippet.line}_${i}.ts`), { text: moduleText(snippet), snippet });
  });

  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const v = virtual.get(fileName);
    if (v) return ts.createSourceFile(fileName, v.text, languageVersion, true);
    // The entry program's files as it parsed and bound them (the sources do not change during a
    // run): a file read again would be parsed and bound again, which is most of the cost.
    return oldProgram?.getSourceFile(fileName) ?? getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(fileName)?.text ?? readFile(fileName);

  const rootNames = [...ENTRY_POINTS, ...virtual.keys()];
  const program = ts.createProgram({ rootNames, options, host, ...(oldProgram ? { oldProgram } : {}) });
  const errors: SnippetError[] = [];
  for (const [fileName, v] of virtual) {
    const sf = program.getSourceFile(fileName);
    if (!sf) throw new Error(`snippet file missing from the program: ${fileName}`);
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      if (v.snippet) errors.push({ where: `${v.snippet.file}:${v.snippet.line + line}`, origin: v.snippet.origin, message });
      else errors.push({ where: `prelude.d.ts:${line + 1}`, origin: 'prelude', message });
    }
  }
  return errors;
}
