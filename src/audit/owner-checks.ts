import type { CompareOptions, Report } from './compare';
import type { AuditTarget } from './target';

/** The people and groups the identity provider knows, as the audit checks owners against them. */
export interface OwnerDirectory {
  /** Where the list came from (the embedded provider, or the configured directory file). */
  source: string;
  /** Lower-case emails of active people and of groups. */
  emails: string[];
}

/** The owner register's checks: the owner still known to the identity provider, the review not overdue. */
export function compareRegister(target: AuditTarget, options: CompareOptions, report: Report): void {
  const { owner, purpose, nextReviewAt, reviewEvery } = target.register;
  const directory = options.directory;
  if (directory && !directory.emails.includes(owner.toLowerCase())) {
    report(
      'owner-unknown',
      'high',
      `the owner ${owner} is no longer known to the identity provider: nobody answers for this integration`,
      [{ source: `owner directory (${directory.source})`, expected: { owner }, actual: null }],
    );
  }
  if (Date.parse(nextReviewAt) < Date.parse(options.asOf)) {
    report(
      'review-overdue',
      'medium',
      `the owner's review was due ${nextReviewAt.slice(0, 10)} (every ${reviewEvery})`,
      [{ source: 'owner register', expected: { reviewedBefore: nextReviewAt }, actual: { asOf: options.asOf } }],
    );
  }
  const last = target.register.lastReview;
  if (last?.outcome === 'missed') {
    report(
      'review-missed',
      'medium',
      `nobody reviewed it in the access review ${last.quarter} (deadline ${last.at.slice(0, 10)}): the owner ${owner} did not answer`,
      [
        {
          source: `review campaign ${last.campaignId}`,
          expected: { reviewedBy: owner },
          actual: { outcome: 'missed' },
        },
      ],
    );
  }
  if (!purpose) {
    report(
      'purpose-missing',
      'low',
      'the owner register has no purpose: the spec was approved before it was required',
      [{ source: 'owner register', expected: { purpose: 'what the integration is for' }, actual: { purpose: null } }],
    );
  }
}
