// The Node runtime passes the runtime contract, and is the one tokenkit wires by default.
import { runtime } from '../../src/runtime';
import { nodeRuntime } from '../../src/runtime/node';
import jwt from 'jsonwebtoken';
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { TOKEN_VECTORS, VECTOR_SECRET, runtimeContract, tokenVectorContract } from './contract';

test('the default wiring is the Node runtime', () => {
  expect(runtime).toBe(nodeRuntime);
  expect(runtime.platform).toBe(`node/${process.versions.node}`);
});

describe('node runtime', () => {
  runtimeContract(nodeRuntime);
  tokenVectorContract();

  test("globalDispatcher is undici's global dispatcher, the one setGlobalDispatcher sets", async () => {
    const before = getGlobalDispatcher();
    const agent = new Agent();
    try {
      setGlobalDispatcher(agent);
      expect(nodeRuntime.globalDispatcher()).toBe(agent);
    } finally {
      setGlobalDispatcher(before);
      await agent.close();
    }
    expect(nodeRuntime.globalDispatcher()).toBe(before);
  });
});

test('the signed token vectors verify with jsonwebtoken (an independent HS256 implementation)', () => {
  for (const token of [TOKEN_VECTORS.user, TOKEN_VECTORS.legacy, TOKEN_VECTORS.server]) {
    expect(() => jwt.verify(token, VECTOR_SECRET, { algorithms: ['HS256'], ignoreExpiration: true })).not.toThrow();
  }
});
