// Empties dist/ before a build that is packed, so a file deleted from src/ can never ship (prepack).
'use strict';
const { rmSync } = require('node:fs');
const { join } = require('node:path');

rmSync(join(__dirname, '..', 'dist'), { recursive: true, force: true });
