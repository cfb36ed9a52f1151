#!/usr/bin/env node
'use strict';
// The package ships its TypeScript source; tsx compiles it on the fly, as `npm start` does.
require('tsx/cjs/api').register();
require('../src/cli/main.ts');
