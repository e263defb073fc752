import type { ValidationIssue } from '../spec/plan';

/** A refusal the API answers as `{ error: { code, message, field? }, issues? }` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body() {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
      ...(this.issues ? { issues: this.issues } : {}),
    };
  }
}
