import type { OrgContext } from '../http/context';
import type { OrgClock } from './clock';
import type { CallCounter } from './counters';
import type { Faults } from './faults';

/** What the admin API and its hooks work with, on top of what every route has. */
export interface AdminContext extends OrgContext {
  faults: Faults;
  counter: CallCounter;
  clock: OrgClock;
}
