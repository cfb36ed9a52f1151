import * as path from 'node:path';

/** The repository's root, wherever a test file sits below `test/`. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
