export type * from './ast';
export { parseSoql } from './parser';
export {
  executeSoql,
  formatDatetime,
  MAX_OFFSET,
  queryColumns,
  type ColumnMetadata,
  type QueryResult,
  type QueryRow,
  type QuerySource,
} from './evaluate';
