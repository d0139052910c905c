// The code the docs show is real: every ```ts block of README.md and docs/*.md, and every @example
// of a public symbol, type-checks against the sources; the markdown blocks not marked `no-run` run
// against a fresh emulator. The names a snippet may use without defining them are in prelude.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type FenceProblem, type PublicSymbol, type Snippet, markdownSnippets, publicExamples, readText } from './extract';
import { runSnippet } from './run';
import { ENTRY_POINTS, ROOT, entryProgram, typeCheckSnippets } from './typecheck';

const MARKDOWN = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

const markdown: Snippet[] = [];
const fenceProblems: FenceProblem[] = [];
for (const file of MARKDOWN) {
  const found = markdownSnippets(file, readText(join(ROOT, file)));
  markdown.push(...found.snippets);
  fenceProblems.push(...found.problems);
}
const runnable = markdown.filter((s) => s.run);

const format = (errors: Array<{ where: string; origin: string; message: string }>): string =>
  errors.map((e) => `${e.where} (${e.origin}): ${e.message}`).join('\n');

describe('type-checking', () => {
  let examples: Snippet[] = [];
  let symbols: PublicSymbol[] = [];
  let errors: ReturnType<typeof typeCheckSnippets> = [];

  beforeAll(() => {
    const program = entryProgram();
    ({ snippets: examples, symbols } = publicExamples(program, ROOT, ENTRY_POINTS));
    errors = typeCheckSnippets([...markdown, ...examples], program);
  });

  test('every public symbol, and every public method and accessor of an exported class, has an @example', () => {
    expect(symbols.length).toBeGreaterThan(0);
    expect(symbols.filter((s) => !s.hasExample).map((s) => `${s.kind} ${s.name} (${s.file}:${s.line})`)).toEqual([]);
  });

  test('the docs have ts blocks to check, each with known flags only', () => {
    expect(markdown.length).toBeGreaterThan(0);
    expect(fenceProblems).toEqual([]);
  });

  test('every ts block of README.md and docs/*.md type-checks', () => {
    expect(format(errors.filter((e) => !e.origin.startsWith('@example')))).toBe('');
  });

  test('every @example of a public symbol type-checks', () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(format(errors.filter((e) => e.origin.startsWith('@example')))).toBe('');
  });
});

describe('running', () => {
  test('some blocks are marked to run', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });

  test.each(runnable.map((s) => [`${s.file}:${s.line}`, s] as const))('%s runs against the emulator', async (_where, snippet) => {
    const output = { lines: [] as string[] };
    await expect(runSnippet(snippet, output).then(() => 'ok')).resolves.toBe('ok');
  });
});
