import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writePrivateFile } from '../../src/private-files';

describe('writePrivateFile', () => {
  it('takes writes of one path at the same moment one after another: each completes, the last asked for stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onramp-private-'));
    try {
      const file = join(dir, 'tokens.json');
      await Promise.all(Array.from({ length: 20 }, (_, i) => writePrivateFile(file, `version ${i}`)));
      assert.equal(readFileSync(file, 'utf8'), 'version 19');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dir), ['tokens.json'], 'no temporary file left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
