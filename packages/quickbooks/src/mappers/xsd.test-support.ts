import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Test-only reader of the official XSDs (test/xsd): complex types with their elements (name -> type), attributes and
 * base type, enough to check that every key a mapper sends is an element QuickBooks declares.
 */
interface XsdType {
  base: string | null;
  elements: Map<string, string>;
  attributes: Set<string>;
  simpleContent: boolean;
}

function loadTypes(): Map<string, XsdType> {
  const types = new Map<string, XsdType>();
  for (const file of ['Finance.xsd', 'IntuitBaseTypes.xsd', 'IntuitNamesTypes.xsd']) {
    const text = readFileSync(fileURLToPath(new URL(`../../test/xsd/${file}`, import.meta.url)), 'utf8');
    const opener = /<xs:complexType name="(\w+)"[^>]*>/g;
    for (let m = opener.exec(text); m; m = opener.exec(text)) {
      // Walk to the matching close tag, counting nested complexTypes.
      let depth = 1;
      const tag = /<xs:complexType[\s>]|<\/xs:complexType>/g;
      tag.lastIndex = opener.lastIndex;
      let end = text.length;
      for (let t = tag.exec(text); t; t = tag.exec(text)) {
        depth += t[0].startsWith('</') ? -1 : 1;
        if (depth === 0) {
          end = t.index;
          break;
        }
      }
      const body = text.slice(opener.lastIndex, end);
      const elements = new Map<string, string>();
      for (const e of body.matchAll(/<xs:element name="(\w+)"(?:[^>]*?type="(?:\w+:)?(\w+)")?/g)) {
        elements.set(e[1] as string, e[2] ?? '');
      }
      types.set(m[1] as string, {
        base: /<xs:extension base="(?:\w+:)?(\w+)"/.exec(body)?.[1] ?? null,
        elements,
        attributes: new Set([...body.matchAll(/<xs:attribute name="(\w+)"/g)].map((a) => a[1] as string)),
        simpleContent: body.includes('<xs:simpleContent>'),
      });
    }
  }
  return types;
}

const TYPES = loadTypes();

/** Element (and attribute) names of a type including everything it inherits. */
function membersOf(typeName: string): {
  elements: Map<string, string>;
  attributes: Set<string>;
  simple: boolean;
} {
  const elements = new Map<string, string>();
  const attributes = new Set<string>();
  let simple = false;
  for (let name: string | null = typeName; name; ) {
    const type = TYPES.get(name);
    if (!type) break;
    for (const [k, v] of type.elements) if (!elements.has(k)) elements.set(k, v);
    for (const a of type.attributes) attributes.add(a);
    simple ||= type.simpleContent;
    name = type.base;
  }
  return { elements, attributes, simple };
}

/** Keys of `value` not declared by `typeName` (recursively), as dotted paths. Empty means the body is XSD-clean. */
export function undeclaredKeys(value: unknown, typeName: string, path = typeName): string[] {
  if (!TYPES.has(typeName)) return [`${path}: unknown XSD type ${typeName}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => undeclaredKeys(v, typeName, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  const { elements, attributes, simple } = membersOf(typeName);
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    // JSON puts simpleContent text in `value` and XML attributes beside elements.
    if ((simple && key === 'value') || attributes.has(key)) continue;
    const childType = elements.get(key);
    if (childType === undefined) {
      problems.push(`${path}.${key}`);
      continue;
    }
    if (TYPES.has(childType)) problems.push(...undeclaredKeys(child, childType, `${path}.${key}`));
  }
  return problems;
}
