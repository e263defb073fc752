import type {
  AggregateFunction,
  ComparisonOperator,
  Condition,
  FieldPath,
  Literal,
  OrderItem,
  SelectItem,
  SoqlQuery,
} from './ast';
import { queryError } from './error-format';
import { tokenize, type Token } from './lexer';

/** Words Salesforce reserves: they can never be a field or object name, so seeing one there is a syntax error. */
const RESERVED = new Set([
  'AND',
  'ASC',
  'DESC',
  'EXCLUDES',
  'FIRST',
  'FROM',
  'GROUP',
  'HAVING',
  'IN',
  'INCLUDES',
  'LAST',
  'LIKE',
  'LIMIT',
  'NOT',
  'NULL',
  'NULLS',
  'OR',
  'SELECT',
  'WHERE',
  'WITH',
  'TRUE',
  'FALSE',
]);

/** Date literals that name a fixed range relative to today. */
export const RANGE_LITERALS = new Set([
  'TODAY',
  'YESTERDAY',
  'TOMORROW',
  'THIS_WEEK',
  'LAST_WEEK',
  'NEXT_WEEK',
  'THIS_MONTH',
  'LAST_MONTH',
  'NEXT_MONTH',
  'THIS_YEAR',
  'LAST_YEAR',
  'NEXT_YEAR',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
]);
/** Date literals that take a count: LAST_N_DAYS:7. */
export const COUNTED_RANGE_LITERALS = new Set(['LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO']);

const MAX_INT = 2147483647;

const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'MAX', 'MIN', 'SUM', 'AVG']);

/** Parses the supported SOQL subset; every syntax error is an SfError MALFORMED_QUERY worded like Salesforce's. */
export function parseSoql(text: string): SoqlQuery {
  const parser = new Parser(text, tokenize(text));
  const query = parser.query(false);
  parser.expectEof();
  // Only a query that parsed whole gets semantic errors: a syntax error further on wins, as in Salesforce.
  checkGrouping(query);
  return query;
}

/** With aggregates or GROUP BY, every plain field must be grouped (subqueries are checked on their own). */
function checkGrouping(query: SoqlQuery): void {
  for (const item of query.select) if (item.kind === 'subquery') checkGrouping(item.query);
  const aggregated = query.groupBy.length > 0 || query.select.some((i) => i.kind === 'aggregate' && i.field);
  if (!aggregated) return;
  const grouped = new Set(query.groupBy.map((f) => f.text.toLowerCase()));
  for (const item of query.select) {
    if (item.kind === 'aggregate' || (item.kind === 'field' && grouped.has(item.field.text.toLowerCase()))) continue;
    const offset = item.kind === 'field' ? item.field.offset : item.offset;
    const text = item.kind === 'field' ? item.field.text : item.kind === 'fields' ? `FIELDS(${item.which})` : '(SELECT';
    throw queryError('MALFORMED_QUERY', query.text, offset, `Field must be grouped or aggregated: ${text}`, 'semantic');
  }
  for (const field of havingFields(query.having))
    if (!grouped.has(field.text.toLowerCase()))
      throw queryError(
        'MALFORMED_QUERY',
        query.text,
        field.offset,
        `Field must be grouped or aggregated: ${field.text}`,
        'semantic',
      );
}

/** The plain (not aggregated) fields a HAVING condition reads. */
function havingFields(cond: Condition | undefined): FieldPath[] {
  if (!cond) return [];
  switch (cond.kind) {
    case 'and':
    case 'or':
      return cond.operands.flatMap(havingFields);
    case 'not':
      return havingFields(cond.operand);
    case 'aggregateCompare':
      return [];
    default:
      return [cond.field];
  }
}

class Parser {
  private pos = 0;
  /** Inside HAVING, a condition may start with an aggregate. */
  private inHaving = false;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  private unexpected(t: Token): never {
    throw queryError('MALFORMED_QUERY', this.text, t.offset, `unexpected token: '${t.text}'`, 'syntax');
  }

  private expectKeyword(word: string): Token {
    const t = this.next();
    if (!this.isKeyword(t, word)) this.unexpected(t);
    return t;
  }

  private expectPunct(p: string): Token {
    const t = this.next();
    if (!this.isPunct(t, p)) this.unexpected(t);
    return t;
  }

  expectEof(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.unexpected(t);
  }

  query(sub: boolean): SoqlQuery {
    this.expectKeyword('SELECT');
    const select = this.selectList();
    this.expectKeyword('FROM');
    const fromTok = this.next();
    if (fromTok.kind !== 'ident' || fromTok.text.includes('.') || RESERVED.has(fromTok.text.toUpperCase())) {
      this.unexpected(fromTok);
    }
    const query: SoqlQuery = {
      text: this.text,
      select,
      countOnly: select.length === 1 && select[0]!.kind === 'aggregate' && !select[0]!.field,
      from: { name: fromTok.text, offset: fromTok.offset },
      groupBy: [],
      orderBy: [],
    };
    if (this.isKeyword(this.peek(), 'WHERE')) {
      this.next();
      query.where = this.condition(sub);
    }
    // Semi-join sub-selects take no ORDER BY / LIMIT / OFFSET in our subset; the closing ')' is expected instead.
    if (sub) return query;
    if (this.isKeyword(this.peek(), 'GROUP') && this.isKeyword(this.peek(1), 'BY')) {
      this.next();
      this.next();
      query.groupBy = this.fieldList();
      if (this.isKeyword(this.peek(), 'HAVING')) {
        this.next();
        this.inHaving = true;
        query.having = this.condition(false);
        this.inHaving = false;
      }
    }
    if (this.isKeyword(this.peek(), 'ORDER')) {
      this.next();
      this.expectKeyword('BY');
      query.orderBy = this.orderList();
    }
    if (this.isKeyword(this.peek(), 'LIMIT')) {
      this.next();
      query.limit = this.integer();
    }
    if (this.isKeyword(this.peek(), 'OFFSET')) {
      this.next();
      query.offsetOffset = this.peek().offset;
      query.offset = this.integer();
    }
    return query;
  }

  private integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) this.unexpected(t);
    const n = Number(t.text);
    if (n > MAX_INT) {
      throw queryError('MALFORMED_QUERY', this.text, t.offset, `numeric value out of range: ${t.text}`, 'syntax');
    }
    return n;
  }

  private fieldPath(): FieldPath {
    const t = this.next();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toUpperCase())) this.unexpected(t);
    return { segments: t.text.split('.'), text: t.text, offset: t.offset };
  }

  private fieldList(): FieldPath[] {
    const fields = [this.fieldPath()];
    while (this.isPunct(this.peek(), ',')) {
      this.next();
      fields.push(this.fieldPath());
    }
    return fields;
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    for (;;) {
      const t = this.peek();
      const fn = t.kind === 'ident' ? t.text.toUpperCase() : '';
      if (items.some((i) => i.kind === 'aggregate' && !i.field)) this.unexpected(t);
      if (AGGREGATES.has(fn) && this.isPunct(this.peek(1), '(')) {
        items.push(this.aggregate(items.length > 0));
      } else if (fn === 'FIELDS' && this.isPunct(this.peek(1), '(')) {
        this.next();
        this.next();
        const which = this.next();
        if (which.kind !== 'ident' || !['STANDARD', 'CUSTOM', 'ALL'].includes(which.text.toUpperCase()))
          this.unexpected(which);
        this.expectPunct(')');
        items.push({
          kind: 'fields',
          which: which.text.toUpperCase() as 'STANDARD' | 'CUSTOM' | 'ALL',
          offset: t.offset,
        });
      } else if (this.isPunct(t, '(') && this.isKeyword(this.peek(1), 'SELECT')) {
        this.next();
        const query = this.query(false);
        this.expectPunct(')');
        items.push({ kind: 'subquery', query, offset: t.offset });
      } else {
        items.push({ kind: 'field', field: this.fieldPath() });
      }
      if (!this.isPunct(this.peek(), ',')) break;
      this.next();
    }
    return items;
  }

  /** COUNT(), COUNT(f), COUNT_DISTINCT(f), MAX/MIN/SUM/AVG(f), each with an optional alias. */
  private aggregate(notFirst: boolean): SelectItem {
    const t = this.next();
    this.next();
    const fn = t.text.toUpperCase() as AggregateFunction;
    if (fn === 'COUNT' && this.isPunct(this.peek(), ')')) {
      this.next();
      // COUNT() stands alone: Salesforce answers only a totalSize for it.
      if (notFirst) this.unexpected(t);
      const after = this.peek();
      if (this.isPunct(after, ',')) this.unexpected(after);
      return { kind: 'aggregate', fn, offset: t.offset };
    }
    const field = this.fieldPath();
    this.expectPunct(')');
    let alias: string | undefined;
    const maybeAlias = this.peek();
    if (maybeAlias.kind === 'ident' && !RESERVED.has(maybeAlias.text.toUpperCase()) && !maybeAlias.text.includes('.')) {
      alias = this.next().text;
    }
    return { kind: 'aggregate', fn, field, alias, offset: t.offset };
  }

  /** AND and OR cannot be mixed at one level without parentheses (Salesforce rejects the second operator). */
  private condition(sub: boolean): Condition {
    const first = this.term(sub);
    const t = this.peek();
    const op = this.isKeyword(t, 'AND') ? 'AND' : this.isKeyword(t, 'OR') ? 'OR' : undefined;
    if (!op) return first;
    const operands = [first];
    while (this.isKeyword(this.peek(), op)) {
      this.next();
      operands.push(this.term(sub));
    }
    const other = this.peek();
    if (this.isKeyword(other, op === 'AND' ? 'OR' : 'AND')) this.unexpected(other);
    return { kind: op === 'AND' ? 'and' : 'or', operands };
  }

  private term(sub: boolean): Condition {
    const t = this.peek();
    if (this.isKeyword(t, 'NOT')) {
      this.next();
      return { kind: 'not', operand: this.term(sub) };
    }
    if (this.isPunct(t, '(')) {
      this.next();
      const inner = this.condition(sub);
      this.expectPunct(')');
      return inner;
    }
    const fn = t.kind === 'ident' ? t.text.toUpperCase() : '';
    if (this.inHaving && AGGREGATES.has(fn) && this.isPunct(this.peek(1), '(')) {
      this.next();
      this.next();
      const field = this.fieldPath();
      this.expectPunct(')');
      const op = this.next();
      if (op.kind !== 'op') this.unexpected(op);
      return {
        kind: 'aggregateCompare',
        fn: fn as AggregateFunction,
        field,
        op: op.value as ComparisonOperator,
        value: this.literal(),
        offset: t.offset,
      };
    }
    return this.fieldExpression(sub);
  }

  private fieldExpression(sub: boolean): Condition {
    const field = this.fieldPath();
    const t = this.next();
    if (t.kind === 'op') {
      return { kind: 'compare', field, op: t.value as ComparisonOperator, value: this.literal(), opOffset: t.offset };
    }
    if (this.isKeyword(t, 'LIKE')) {
      const s = this.next();
      if (s.kind !== 'string') this.unexpected(s);
      return {
        kind: 'like',
        field,
        pattern: { regex: s.likeRegex!, raw: s.text, offset: s.offset },
        opOffset: t.offset,
      };
    }
    if (this.isKeyword(t, 'IN')) return this.inList(field, false, t.offset, sub);
    if (this.isKeyword(t, 'NOT')) {
      this.expectKeyword('IN');
      return this.inList(field, true, t.offset, sub);
    }
    if (this.isKeyword(t, 'INCLUDES') || this.isKeyword(t, 'EXCLUDES')) {
      this.expectPunct('(');
      const values = this.literalList();
      this.expectPunct(')');
      return { kind: 'includes', field, negated: this.isKeyword(t, 'EXCLUDES'), values, opOffset: t.offset };
    }
    this.unexpected(t);
  }

  private inList(field: FieldPath, negated: boolean, opOffset: number, sub: boolean): Condition {
    this.expectPunct('(');
    const t = this.peek();
    if (this.isKeyword(t, 'SELECT')) {
      if (sub) {
        throw queryError(
          'MALFORMED_QUERY',
          this.text,
          t.offset,
          'Nesting of semi join sub-selects is not supported',
          'semantic',
        );
      }
      const subquery = this.query(true);
      this.expectPunct(')');
      return { kind: 'semiJoin', field, negated, subquery, opOffset };
    }
    const values = this.literalList();
    this.expectPunct(')');
    return { kind: 'in', field, negated, values, opOffset };
  }

  private literalList(): Literal[] {
    const values = [this.literal()];
    while (this.isPunct(this.peek(), ',')) {
      this.next();
      values.push(this.literal());
    }
    return values;
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        if (t.likeOnlyEscape) {
          throw queryError(
            'MALFORMED_QUERY',
            this.text,
            t.offset,
            `Invalid string literal ${t.text}. Illegal character sequence '${t.likeOnlyEscape}' in string literal.`,
            'syntax',
          );
        }
        return { kind: 'string', value: t.value!, raw: t.text, offset: t.offset };
      case 'number':
        return { kind: 'number', value: Number(t.text), text: t.text, offset: t.offset };
      case 'date':
        return { kind: 'date', text: t.text, offset: t.offset };
      case 'datetime':
        return { kind: 'datetime', text: t.text, offset: t.offset };
      case 'punct':
        if (t.text === ':') {
          throw queryError(
            'MALFORMED_QUERY',
            this.text,
            t.offset,
            'Bind variables only allowed in Apex code',
            'syntax',
          );
        }
        return this.unexpected(t);
      case 'ident': {
        const word = t.text.toUpperCase();
        if (word === 'TRUE' || word === 'FALSE') return { kind: 'boolean', value: word === 'TRUE', offset: t.offset };
        if (word === 'NULL') return { kind: 'null', offset: t.offset };
        if (RANGE_LITERALS.has(word)) return { kind: 'dateLiteral', name: word, offset: t.offset };
        if (COUNTED_RANGE_LITERALS.has(word)) {
          this.expectPunct(':');
          return { kind: 'dateLiteral', name: word, n: this.integer(), offset: t.offset };
        }
        return this.unexpected(t);
      }
      default:
        return this.unexpected(t);
    }
  }

  private orderList(): OrderItem[] {
    const items: OrderItem[] = [];
    for (;;) {
      const item: OrderItem = { field: this.fieldPath(), descending: false };
      if (this.isKeyword(this.peek(), 'ASC')) this.next();
      else if (this.isKeyword(this.peek(), 'DESC')) {
        this.next();
        item.descending = true;
      }
      if (this.isKeyword(this.peek(), 'NULLS')) {
        this.next();
        const t = this.next();
        if (this.isKeyword(t, 'FIRST')) item.nullsFirst = true;
        else if (this.isKeyword(t, 'LAST')) item.nullsFirst = false;
        else this.unexpected(t);
      }
      items.push(item);
      if (!this.isPunct(this.peek(), ',')) break;
      this.next();
    }
    return items;
  }
}
