import type { adminEndpoints } from '../../schemas/endpoints';
import { type Handlers, recordWrite } from './context';

type SecretEndpoints = Pick<typeof adminEndpoints, 'listSecrets' | 'addSecret' | 'promoteSecret' | 'retireSecret'>;

/**
 * The secret routes (docs/platform-api.md, "App secrets and rotation"). Only the add answers a
 * value; the write log and the list hold kids and states.
 */
export const secretHandlers: Handlers<SecretEndpoints> = {
  listSecrets: (ctx) => ({ secrets: ctx.state.secrets.list() }),

  addSecret: (ctx) => {
    const added = ctx.state.secrets.add(ctx.nowMs);
    ctx.state.dirty = true;
    recordWrite(ctx, { fields: ['secrets'], kid: added.kid });
    return { secret: added };
  },

  promoteSecret: (ctx, { kid }) => {
    if (ctx.state.secrets.promote(kid, ctx.nowMs)) {
      ctx.state.dirty = true;
      recordWrite(ctx, { fields: ['secrets'], kid });
    }
    return { secrets: ctx.state.secrets.list() };
  },

  retireSecret: (ctx, { kid }) => {
    if (ctx.state.secrets.retire(kid, ctx.nowMs)) {
      ctx.state.dirty = true;
      recordWrite(ctx, { fields: ['secrets'], kid });
    }
    return { secrets: ctx.state.secrets.list() };
  },
};
