// The hosts' configuration, read from the environment (or a Worker's bindings) by name.
import type { ScenarioConfig } from '../scenario';

export function configFromEnv(get: (name: string) => string | undefined): { config: ScenarioConfig; vectorSecret: string } {
  const need = (name: string): string => {
    const v = get(name);
    if (v === undefined || v === '') throw new Error(`the runtime host needs ${name}`);
    return v;
  };
  return {
    config: { runtime: need('SCENARIO_RUNTIME'), apiKey: need('TOKENKIT_API_KEY'), apiSecret: need('TOKENKIT_API_SECRET'), baseUrl: need('TOKENKIT_BASE_URL') },
    vectorSecret: need('VECTOR_SECRET'),
  };
}
