import type { ObjectRules } from './types';
import { fullName } from './support';

/** Contact.Name is Salesforce's read-only compound of FirstName and LastName. */
export const contactRules: ObjectRules = {
  beforeInsert: (_ctx, row) => {
    row.Name = fullName(row);
  },
  beforeUpdate: (_ctx, _before, after) => {
    after.Name = fullName(after);
  },
};
