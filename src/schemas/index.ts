// Internal: the wire shapes shared by the SDK and the emulator (zod). Not a public entry point.
export * from './common';
export * from './codes';
export * from './app';
export * from './users';
export * from './tokens';
export * from './secrets';
export * from './client-routes';
export * from './endpoints';
