import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { Failure, NON_RETRYABLE_TYPES, failureType, isFailure } from '../../src/shared/failures';

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const onrampFiles = () => sourceFiles(SRC);

describe('the failure catalogue', () => {
  it('builds each failure with its type, and non-retryable exactly when the catalogue says it does not retry', () => {
    for (const [name, create] of Object.entries(Failure)) {
      const failure = create('what happened', { details: [{ code: 'X' }] });
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, name);
      assert.equal(create.type, name);
      assert.equal(failure.nonRetryable, !create.retries, name);
      assert.deepEqual(failure.details, [{ code: 'X' }]);
      assert.equal(NON_RETRYABLE_TYPES.includes(name), !create.retries, name);
      assert.ok(create.means.length > 10, `${name} says what it means`);
    }
    assert.ok(
      NON_RETRYABLE_TYPES.includes('ForeignObject') && !NON_RETRYABLE_TYPES.includes('SalesforceTransientError'),
    );
  });

  it('finds the innermost type under an activity failure', () => {
    const inner = Failure.ForeignObject('permission set x already exists');
    const outer = new ActivityFailure(
      'activity failed',
      'deleteApp',
      '1',
      RetryState.NON_RETRYABLE_FAILURE,
      undefined,
      inner,
    );
    assert.equal(failureType(outer), 'ForeignObject');
    assert.ok(isFailure(outer, Failure.ForeignObject));
    assert.ok(!isFailure(outer, Failure.SalesforceError));
  });

  it('is where failures are made: no other file of onramp creates an ApplicationFailure or spells a failure type', () => {
    const allowed = new Set(['shared/failures.ts', 'activities/failures.ts']);
    const typeLiteral = new RegExp(`['"\`](${Object.keys(Failure).join('|')})['"\`]`);
    const offending: string[] = [];
    for (const file of onrampFiles()) {
      const path = relative(SRC, file);
      if (path === 'shared/failures.ts') continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (
            !allowed.has(path) &&
            /ApplicationFailure\.(create|nonRetryable|retryable)|new ApplicationFailure/.test(line)
          )
            offending.push(`${path}:${i + 1}: ${line.trim()}`);
          // Words shown to people (the CLI's "Rejected the onboarding of ...") and error class names are not failure types.
          const notAType = /io\.stdout|const done = |this\.name = /.test(line);
          if (typeLiteral.test(line) && !notAType) offending.push(`${path}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offending, []);
  });

  it('can be bundled into workflows: it imports nothing but @temporalio/common', () => {
    const text = readFileSync(join(SRC, 'shared', 'failures.ts'), 'utf8');
    assert.deepEqual(
      [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]),
      ['@temporalio/common'],
    );
  });

  it('keeps Temporal out of the layers below the activities', () => {
    const below = ['salesforce', 'secrets', 'crypto', 'spec'];
    const offending = onrampFiles()
      .filter((f) => below.includes(relative(SRC, f).split('/')[0]!))
      .filter((f) => /from '@temporalio\//.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    assert.deepEqual(offending, []);
  });

  it('leaves one error class in the Salesforce layer: no error dressed up with an errorCode', () => {
    const offending = onrampFiles()
      .filter((f) => relative(SRC, f).startsWith('salesforce/') || relative(SRC, f).startsWith('activities/'))
      .filter((f) => /Object\.assign\(new Error|class \w+ extends Error/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    assert.deepEqual(offending, ['salesforce/errors.ts']);
  });
});
