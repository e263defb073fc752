export type * from './ast';
export { parseSoql } from './parser';
export { executeSoql, formatDatetime, MAX_OFFSET, type QueryResult, type QueryRow, type QuerySource } from './evaluate';
