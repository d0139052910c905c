// The links between the README and the guides lead somewhere: every relative link names a file
// that exists, and every #anchor names a heading of its page (GitHub's slugs). The guide index
// (docs/README.md) links every guide.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ROOT } from './typecheck';

const PAGES = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[ \t]*$/gm, '').replace(/(`+)[^`\n]*?\1/g, '');
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutFences = markdown.replace(/^ *(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ *\1[ \t]*$/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = (m[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  page: string;
  target: string;
}

function links(page: string): Link[] {
  const text = prose(readFileSync(join(ROOT, page), 'utf8'));
  return [...text.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({ page, target: m[1] ?? '' }));
}

function problem(link: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined; // https:, mailto: ...
  const [path = '', anchor] = link.target.split('#');
  const file = path === '' ? join(ROOT, link.page) : normalize(join(ROOT, dirname(link.page), decodeURIComponent(path)));
  if (relative(ROOT, file).startsWith('..')) return `${link.page}: ${link.target} leaves the repository`;
  if (!existsSync(file)) return `${link.page}: ${link.target} does not exist`;
  if (anchor !== undefined) {
    if (!file.endsWith('.md') || statSync(file).isDirectory()) return `${link.page}: ${link.target}: an anchor into a file that is not markdown`;
    if (!anchors(readFileSync(file, 'utf8')).has(anchor)) return `${link.page}: ${link.target}: no heading with that anchor`;
  }
  return undefined;
}

test('every relative link of README.md and docs/*.md leads to a file and heading that exist', () => {
  const all = PAGES.flatMap(links);
  expect(all.length).toBeGreaterThan(0);
  expect(all.map(problem).filter(Boolean)).toEqual([]);
});

test('the guide index links every guide', () => {
  const linked = new Set(links('docs/README.md').map((l) => l.target.split('#')[0]));
  const guides = PAGES.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md').map((p) => p.slice('docs/'.length));
  expect(guides.filter((g) => !linked.has(g))).toEqual([]);
});

test('anchors follow GitHub: punctuation dropped, spaces to hyphens, repeats numbered', () => {
  expect([...anchors('# A `b` | c!\n## Retries\n## Retries\n```\n# not a heading\n```\n')]).toEqual(['a-b--c', 'retries', 'retries-1']);
});
