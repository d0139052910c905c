// Finds the code the docs show: the ```ts blocks of markdown files, and the ```ts blocks of the
// @example tags of every public symbol (reached from the package's entry points).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';

/** One code block, with where it came from (for error messages: `file:line`). */
export interface Snippet {
  /** Path relative to the project, e.g. `docs/getting-started.md`. */
  file: string;
  /** 1-based line in `file` of the block's first code line. */
  line: number;
  code: string;
  /** Run against an emulator (markdown blocks not marked `no-run`), or type-checked only. */
  run: boolean;
  /** Where it came from: a markdown file, or the @example of the named symbol. */
  origin: string;
}

/** Info-string flags a ```ts block may carry. Anything else is refused, so a typo cannot skip a run. */
export const KNOWN_FLAGS: ReadonlySet<string> = new Set(['no-run']);
const TS_LANGS = new Set(['ts', 'typescript']);

/** A fenced block in markdown whose info string starts with ts/typescript but is not understood. */
export interface FenceProblem {
  file: string;
  line: number;
  message: string;
}

/**
 * The ```ts (or ```typescript) blocks of a markdown text. Fences may be indented (inside list
 * items); the indentation is removed from the code. `no-run` after the language marks a block
 * that is type-checked but not run.
 */
export function markdownSnippets(file: string, text: string): { snippets: Snippet[]; problems: FenceProblem[] } {
  const snippets: Snippet[] = [];
  const problems: FenceProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*(\S*)(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '', lang = '', rest = ''] = open;
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^ *${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(lines[end] as string)) end++;
    const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
    if (TS_LANGS.has(lang.toLowerCase())) {
      const flags = rest.trim().split(/\s+/).filter(Boolean);
      const unknown = flags.filter((f) => !KNOWN_FLAGS.has(f));
      if (unknown.length > 0) {
        problems.push({ file, line: i + 1, message: `unknown flag(s) ${unknown.join(', ')} on a ts block (known: ${[...KNOWN_FLAGS].join(', ')})` });
      }
      snippets.push({ file, line: i + 2, code: body.join('\n'), run: !flags.includes('no-run'), origin: file });
    }
    i = end;
  }
  return { snippets, problems };
}

/** The ```ts blocks of a declaration's @example tags, read from the source (so each has its line). */
function exampleBlocks(decl: ts.Node): Array<{ code: string; line: number }> {
  const sf = decl.getSourceFile();
  const blocks: Array<{ code: string; line: number }> = [];
  for (const tag of ts.getJSDocTags(decl).filter((t) => t.tagName.text === 'example')) {
    const raw = sf.text.slice(tag.getStart(sf), tag.end);
    const startLine = sf.getLineAndCharacterOfPosition(tag.getStart(sf)).line;
    const lines = raw.split('\n').map((l, i) => (i === 0 ? l : l.replace(/^\s*\* ?/, '')));
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*```(ts|typescript)\b/.test(lines[i] as string)) continue;
      let end = i + 1;
      while (end < lines.length && !/^\s*```\s*$/.test(lines[end] as string)) end++;
      blocks.push({ code: lines.slice(i + 1, end).join('\n'), line: startLine + i + 2 });
      i = end;
    }
  }
  return blocks;
}

/** A public symbol: its display name, and whether its doc comment has at least one @example block. */
export interface PublicSymbol {
  name: string;
  kind: string;
  file: string;
  line: number;
  hasExample: boolean;
}

function declarationLine(decl: ts.Declaration): number {
  const sf = decl.getSourceFile();
  return sf.getLineAndCharacterOfPosition(decl.getStart(sf)).line + 1;
}

function kindOf(decl: ts.Declaration): string {
  return ts.SyntaxKind[decl.kind].replace(/Declaration$/, '');
}

/**
 * The @example blocks of every symbol exported by the entry points, and of the public members of
 * exported classes; with the list of those symbols. A block's line is the line of its symbol.
 */
export function publicExamples(program: ts.Program, root: string, entryPoints: readonly string[]): { snippets: Snippet[]; symbols: PublicSymbol[] } {
  const checker = program.getTypeChecker();
  const snippets: Snippet[] = [];
  const symbols: PublicSymbol[] = [];
  const seen = new Set<ts.Declaration>();

  const visit = (symbol: ts.Symbol, name: string): void => {
    for (const decl of symbol.getDeclarations() ?? []) {
      if (seen.has(decl)) continue;
      seen.add(decl);
      // @internal members are left out of the API reference (typedoc's excludeInternal): not public.
      if (ts.getJSDocTags(decl).some((t) => t.tagName.text === 'internal')) continue;
      const file = relative(root, decl.getSourceFile().fileName);
      if (file.startsWith('node_modules')) continue;
      const line = declarationLine(decl);
      const blocks = exampleBlocks(decl);
      symbols.push({ name, kind: kindOf(decl), file, line, hasExample: blocks.length > 0 });
      for (const b of blocks) snippets.push({ file, line: b.line, code: b.code, run: false, origin: `@example of ${name}` });
      if (ts.isClassDeclaration(decl)) {
        for (const member of decl.members) {
          const mods = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
          if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
          if (member.name && ts.isPrivateIdentifier(member.name)) continue;
          if (ts.isPropertyDeclaration(member) || ts.isClassStaticBlockDeclaration(member) || ts.isIndexSignatureDeclaration(member) || ts.isSemicolonClassElement(member)) continue;
          const memberSymbol = member.name ? checker.getSymbolAtLocation(member.name) : undefined;
          if (ts.isConstructorDeclaration(member)) {
            for (const b of exampleBlocks(member)) snippets.push({ file, line: b.line, code: b.code, run: false, origin: `@example of new ${name}()` });
          } else if (memberSymbol) {
            visit(memberSymbol, `${name}.${memberSymbol.name}`);
          }
        }
      }
    }
  };

  for (const entry of entryPoints) {
    const sf = program.getSourceFile(entry);
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) throw new Error(`entry point not in the program: ${entry}`);
    const entryName = relative(root, entry);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      visit(target, `${entryName}:${exported.name}`);
    }
  }
  return { snippets, symbols };
}

/** Reads a file as text. */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
