// Written by scripts/write-version.js from package.json (prebuild, npm version): do not edit.
/** tokenkit's version, as in its package.json. */
export const VERSION = '0.1.0';
