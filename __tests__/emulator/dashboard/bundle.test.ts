// The dashboard bundle is generated (scripts/build-dashboard.js) and checked in, so that tests
// from the sources and the built package serve the same page without a build step: it must be
// what the sources in src/emulator/dashboard/ui build to today.
import { readFileSync } from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate, OUT } = require('../../../scripts/build-dashboard.js') as { generate(): Promise<string>; OUT: string };

test('src/emulator/dashboard/bundle.generated.ts is up to date with its sources (else: npm run build:dashboard)', async () => {
  expect(readFileSync(OUT, 'utf8') === (await generate())).toBe(true);
});
