import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { describeVisibilityContract } from '../contract/index.js';
import { openSqliteVisibilityStore } from './index.js';

describeVisibilityContract('sqlite in memory', async () => openSqliteVisibilityStore());

const dir = mkdtempSync(join(tmpdir(), 'tempora-visibility-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
describeVisibilityContract('sqlite file', async () => openSqliteVisibilityStore({ file: join(dir, 'visibility.db') }));
