// The portable runtime (no `node:` module) passes the runtime contract, and tokenkit's token code
// wired to it mints the same bytes as on Node. node:crypto is made unloadable for the token code:
// the portable wiring must never reach it.
import { portableRuntime } from '../../src/runtime/portable';
import { runtimeContract } from './contract';

jest.mock('../../src/runtime', () => ({ runtime: jest.requireActual('../../src/runtime/portable').portableRuntime }));

describe('portable runtime', () => {
  runtimeContract(portableRuntime);

  test('globalDispatcher is always undefined: its fetch takes no dispatcher', () => {
    expect(portableRuntime.globalDispatcher()).toBeUndefined();
  });

  test('platformSecretBytes knows no platform key objects', () => {
    expect(portableRuntime.platformSecretBytes({ type: 'secret', export: () => Buffer.from('x') })).toBeUndefined();
  });
});

describe('token code wired to the portable runtime, with node:crypto unloadable', () => {
  let contract: typeof import('./contract') | undefined;
  let wired: string | undefined;
  jest.isolateModules(() => {
    for (const name of ['node:crypto', 'crypto']) {
      jest.doMock(name, () => {
        throw new Error(`${name} was loaded by the portable wiring`);
      });
    }
    contract = require('./contract') as typeof import('./contract');
    wired = (require('../../src/runtime') as typeof import('../../src/runtime')).runtime.name;
  });
  test('the token code runs on the portable runtime', () => expect(wired).toBe('portable'));
  for (const name of ['node:crypto', 'crypto']) jest.dontMock(name);
  contract!.tokenVectorContract();
});
