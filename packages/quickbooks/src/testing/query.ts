import { faults, type SimFault } from './faults';
import { isObject } from './records';
import { type RealmState, recordsOf, SIM_ENTITIES, type SimEntityName, type WireObject } from './state';

/**
 * The subset of the QuickBooks query language the SDK uses (and that Intuit documents): one entity, `select *`,
 * `select count(*)` or a field list, `where` conditions joined by AND (no OR) with =, <, >, <=, >=, IN and LIKE
 * (`%` wildcard), ORDERBY, STARTPOSITION (1-based) and MAXRESULTS (default 100, at most 1000).
 */

type Literal = string | number | boolean;
export interface Condition {
  field: string;
  op: '=' | '<' | '>' | '<=' | '>=' | 'IN' | 'LIKE';
  values: Literal[];
}
export interface ParsedQuery {
  entity: SimEntityName;
  count: boolean;
  fields: string[] | null;
  where: Condition[];
  orderBy: Array<{ field: string; desc: boolean }>;
  startPosition: number;
  maxResults: number;
}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string };

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) return 'unterminated string literal';
        const c = text[i] as string;
        // Backslash escapes the next character (O\'Brien, C:\\temp); a backslash before the closing quote escapes
        // it, so `'Pipe 1/2\'` never ends - as on the real query service, which answers a parse error.
        if (c === '\\') {
          if (i + 1 >= text.length) return 'unterminated string literal';
          value += text[i + 1];
          i += 2;
        } else if (c === "'") {
          i += 1;
          break;
        } else {
          value += c;
          i += 1;
        }
      }
      tokens.push({ kind: 'string', text: value });
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!m) return `unexpected "${ch}"`;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else if (ch === '<' || ch === '>') {
      const two = text[i + 1] === '=' ? `${ch}=` : ch;
      tokens.push({ kind: 'symbol', text: two });
      i += two.length;
    } else if ('=(),*'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch });
      i += 1;
    } else {
      return `Encountered "${ch}" at column ${i + 1}`;
    }
  }
  return tokens;
}

export function parseQuery(text: string): { ok: true; query: ParsedQuery } | { ok: false; fault: SimFault } {
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { ok: false, fault: faults.queryParse(tokens) };
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string) => peek()?.kind === 'word' && peek()?.text.toLowerCase() === word;
  const fail = (what: string) => ({
    ok: false as const,
    fault: faults.queryParse(`${what} near "${peek()?.text ?? 'end of query'}"`),
  });

  if (!isWord('select')) return fail('Expected SELECT');
  pos += 1;
  let count = false;
  let fields: string[] | null = null;
  if (peek()?.text === '*') {
    pos += 1;
  } else if (isWord('count')) {
    pos += 1;
    if (tokens[pos]?.text !== '(' || tokens[pos + 1]?.text !== '*' || tokens[pos + 2]?.text !== ')') {
      return fail('Expected count(*)');
    }
    pos += 3;
    count = true;
  } else {
    fields = [];
    for (;;) {
      const t = peek();
      if (t?.kind !== 'word' || t.text.toLowerCase() === 'from') return fail('Expected a field name');
      fields.push(t.text);
      pos += 1;
      if (peek()?.text !== ',') break;
      pos += 1;
    }
  }
  if (!isWord('from')) return fail('Expected FROM');
  pos += 1;
  const entityToken = peek();
  const entity = SIM_ENTITIES.find((e) => e.toLowerCase() === entityToken?.text.toLowerCase());
  if (entityToken?.kind !== 'word' || !entity) {
    return { ok: false, fault: faults.queryValidation(`Invalid entity ${entityToken?.text ?? ''}`.trim()) };
  }
  pos += 1;

  const where: Condition[] = [];
  if (isWord('where')) {
    pos += 1;
    for (;;) {
      const field = peek();
      if (field?.kind !== 'word') return fail('Expected a field name');
      pos += 1;
      const opToken = peek();
      let op: Condition['op'];
      if (opToken?.kind === 'symbol' && ['=', '<', '>', '<=', '>='].includes(opToken.text)) {
        op = opToken.text as Condition['op'];
      } else if (opToken?.kind === 'word' && ['in', 'like'].includes(opToken.text.toLowerCase())) {
        op = opToken.text.toUpperCase() as Condition['op'];
      } else {
        return fail('Expected an operator (=, <, >, <=, >=, IN, LIKE)');
      }
      pos += 1;
      const values: Literal[] = [];
      if (op === 'IN') {
        if (peek()?.text !== '(') return fail('Expected (');
        pos += 1;
        for (;;) {
          const lit = literal(peek());
          if (lit === undefined) return fail('Expected a value');
          values.push(lit);
          pos += 1;
          if (peek()?.text === ',') {
            pos += 1;
            continue;
          }
          if (peek()?.text !== ')') return fail('Expected )');
          pos += 1;
          break;
        }
      } else {
        const lit = literal(peek());
        if (lit === undefined) return fail('Expected a value');
        values.push(lit);
        pos += 1;
      }
      where.push({ field: field.text, op, values });
      if (isWord('and')) {
        pos += 1;
        continue;
      }
      if (isWord('or')) return { ok: false, fault: faults.queryParse('OR is not supported') };
      break;
    }
  }

  const orderBy: ParsedQuery['orderBy'] = [];
  if (isWord('orderby') || isWord('order')) {
    if (isWord('order')) {
      pos += 1;
      if (!isWord('by')) return fail('Expected BY');
    }
    pos += 1;
    for (;;) {
      const field = peek();
      if (field?.kind !== 'word') return fail('Expected a field name');
      pos += 1;
      let desc = false;
      if (isWord('desc') || isWord('asc')) {
        desc = isWord('desc');
        pos += 1;
      }
      orderBy.push({ field: field.text, desc });
      if (peek()?.text !== ',') break;
      pos += 1;
    }
  }
  let startPosition = 1;
  let maxResults = 100;
  while (isWord('startposition') || isWord('maxresults')) {
    const which = (peek() as Token).text.toLowerCase();
    pos += 1;
    const n = peek();
    if (n?.kind !== 'number' || !/^\d+$/.test(n.text)) return fail('Expected a positive integer');
    pos += 1;
    if (which === 'startposition') startPosition = Math.max(1, Number(n.text));
    else maxResults = Number(n.text);
  }
  if (pos !== tokens.length) return fail('Unexpected token');
  // QuickBooks returns at most 1000 entities per query, whatever MAXRESULTS asks for.
  maxResults = Math.min(Math.max(maxResults, 1), 1000);
  return { ok: true, query: { entity, count, fields, where, orderBy, startPosition, maxResults } };
}

function literal(token: Token | undefined): Literal | undefined {
  if (!token) return undefined;
  if (token.kind === 'string') return token.text;
  if (token.kind === 'number') return Number(token.text);
  if (token.kind === 'word' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
  return undefined;
}

/** Reads `MetaData.LastUpdatedTime`, `CustomerRef` (its value), `PrimaryEmailAddr` (its Address) ... */
export function fieldValue(data: WireObject, path: string): unknown {
  let current: unknown = data;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    const key = Object.keys(current).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : current[key];
  }
  if (isObject(current)) {
    if ('value' in current) return current.value;
    if ('Address' in current) return current.Address;
    if ('FreeFormNumber' in current) return current.FreeFormNumber;
  }
  return current;
}

const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

function compare(actual: unknown, expected: Literal): number | null {
  if (actual === undefined || actual === null) return null;
  if (
    typeof expected === 'string' &&
    typeof actual === 'string' &&
    DATE_LIKE.test(expected) &&
    DATE_LIKE.test(actual)
  ) {
    return Date.parse(actual) - Date.parse(expected);
  }
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = Number(actual);
    const b = Number(expected);
    return Number.isNaN(a) || Number.isNaN(b) ? null : a - b;
  }
  if (typeof expected === 'boolean') return actual === expected ? 0 : 1;
  // String comparisons in the QuickBooks query service are case-insensitive.
  return String(actual).toLowerCase().localeCompare(String(expected).toLowerCase());
}

function matches(data: WireObject, condition: Condition): boolean {
  const actual = fieldValue(data, condition.field);
  const [first] = condition.values;
  if (first === undefined) return false;
  switch (condition.op) {
    case 'IN':
      return condition.values.some((v) => compare(actual, v) === 0);
    case 'LIKE': {
      if (typeof actual !== 'string') return false;
      const pattern = String(first)
        .split('%')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      return new RegExp(`^${pattern}$`, 'is').test(actual);
    }
    default: {
      const c = compare(actual, first);
      if (c === null) return false;
      if (condition.op === '=') return c === 0;
      if (condition.op === '<') return c < 0;
      if (condition.op === '>') return c > 0;
      if (condition.op === '<=') return c <= 0;
      return c >= 0;
    }
  }
}

/**
 * Properties the query service filters on, per entity: those Intuit's entity reference marks filterable. Where the
 * docs are silent (Customer.PrimaryEmailAddr, Payment.PaymentRefNum) the property is left out, so clients must cope
 * with Fault 4001 and scan instead.
 */
const FILTERABLE: Readonly<Record<SimEntityName, readonly string[]>> = {
  Customer: [
    'DisplayName',
    'GivenName',
    'MiddleName',
    'FamilyName',
    'CompanyName',
    'PrintOnCheckName',
    'Active',
    'Balance',
  ],
  Vendor: ['DisplayName', 'GivenName', 'FamilyName', 'CompanyName', 'PrintOnCheckName', 'Active', 'Balance'],
  Employee: ['DisplayName', 'GivenName', 'FamilyName', 'PrintOnCheckName', 'Active'],
  Item: ['Name', 'Active', 'Type', 'Sku'],
  Invoice: ['DocNumber', 'TxnDate', 'DueDate', 'CustomerRef', 'TotalAmt', 'Balance'],
  Payment: ['TxnDate', 'CustomerRef', 'TotalAmt'],
  Account: ['Name', 'AccountType', 'Classification', 'Active', 'SubAccount', 'FullyQualifiedName'],
  TaxCode: ['Name', 'Active'],
};
const ALWAYS_FILTERABLE = ['Id', 'MetaData.CreateTime', 'MetaData.LastUpdatedTime'];

/** The first where-clause property QuickBooks would refuse to filter on, or null. */
export function unfilterableField(query: ParsedQuery): string | null {
  const allowed = [...ALWAYS_FILTERABLE, ...FILTERABLE[query.entity]].map((f) => f.toLowerCase());
  return query.where.find((c) => !allowed.includes(c.field.toLowerCase()))?.field ?? null;
}

/** Runs a parsed query and returns the real `QueryResponse` object. */
export function runQuery(realm: RealmState, query: ParsedQuery): WireObject {
  const hasActive = query.where.some((c) => c.field.toLowerCase() === 'active');
  const nameList = query.entity === 'Customer' || query.entity === 'Item' || query.entity === 'Account';
  let rows = [...recordsOf(realm, query.entity).values()]
    .filter((r) => !r.deleted)
    // Name-list queries hide inactive records unless the query mentions Active.
    .filter((r) => !nameList || hasActive || r.data.Active !== false)
    .filter((r) => query.where.every((c) => matches(r.data, c)));
  if (query.count) return { totalCount: rows.length };
  rows.sort((a, b) => {
    for (const { field, desc } of query.orderBy) {
      const av = fieldValue(a.data, field);
      const bv = fieldValue(b.data, field);
      const c = av === bv ? 0 : (compare(av, bv as Literal) ?? 0);
      if (c !== 0) return desc ? -c : c;
    }
    return a.createdMs - b.createdMs || Number(a.id) - Number(b.id);
  });
  rows = rows.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults);
  if (rows.length === 0) return {};
  const objects = rows.map((r) => (query.fields ? project(r.data, query.fields) : r.data));
  return { [query.entity]: objects, startPosition: query.startPosition, maxResults: rows.length };
}

function project(data: WireObject, fields: string[]): WireObject {
  const out: WireObject = { domain: 'QBO', sparse: true, Id: data.Id };
  for (const field of fields) {
    const top = field.split('.')[0] as string;
    const key = Object.keys(data).find((k) => k.toLowerCase() === top.toLowerCase());
    if (key !== undefined) out[key] = data[key];
  }
  return out;
}
