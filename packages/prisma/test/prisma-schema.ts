import { readFile } from 'node:fs/promises';

/**
 * A deliberately small reader for prisma/schema.prisma: enough of the grammar for our own models (scalar fields,
 * `?`, @id, @default, @map, @db.*, @@id, @@unique, @@index, @@map). It exists so the drift test can compare the
 * shipped schema with the tables the SQL migrations create, without Prisma's schema engine (not available offline).
 */
export interface SchemaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  id: boolean;
  hasDefault: boolean;
  autoincrement: boolean;
  nativeType: string | null;
}

export interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
}

export const SCHEMA_PATH = new URL('../prisma/schema.prisma', import.meta.url);

function columnsOf(list: string, fields: SchemaField[]): string[] {
  return list.split(',').map((raw) => {
    const name = raw.trim();
    const field = fields.find((f) => f.name === name);
    if (!field) throw new Error(`Unknown field ${name} in attribute`);
    return field.column;
  });
}

export async function readSchemaModels(): Promise<SchemaModel[]> {
  const text = await readFile(SCHEMA_PATH, 'utf8');
  const models: SchemaModel[] = [];
  for (const match of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = match as unknown as [string, string, string];
    const fields: SchemaField[] = [];
    const blockAttributes: string[] = [];
    for (const rawLine of body.split('\n')) {
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      if (line.length === 0) continue;
      if (line.startsWith('@@')) {
        blockAttributes.push(line);
        continue;
      }
      const fieldMatch = /^(\w+)\s+(\w+)(\?)?\s*(.*)$/.exec(line);
      if (!fieldMatch) throw new Error(`Cannot read field line: ${line}`);
      const [, fieldName, type, optional, attributes] = fieldMatch as unknown as [
        string,
        string,
        string,
        string,
        string,
      ];
      fields.push({
        name: fieldName,
        column: /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? fieldName,
        type,
        optional: optional === '?',
        id: /@id\b/.test(attributes),
        hasDefault: /@default\(/.test(attributes),
        autoincrement: /@default\(autoincrement\(\)\)/.test(attributes),
        nativeType: /@db\.(\w+(?:\(\d+\))?)/.exec(attributes)?.[1] ?? null,
      });
    }
    const listOf = (attribute: string) =>
      blockAttributes
        .filter((a) => a.startsWith(`${attribute}(`))
        .map((a) => columnsOf(/\[([^\]]+)\]/.exec(a)?.[1] ?? '', fields));
    const mapped = blockAttributes.find((a) => a.startsWith('@@map('));
    models.push({
      name,
      table: mapped ? (/"([^"]+)"/.exec(mapped)?.[1] ?? name) : name,
      fields,
      primaryKey: listOf('@@id')[0] ?? fields.filter((f) => f.id).map((f) => f.column),
      uniques: listOf('@@unique'),
      indexes: listOf('@@index'),
    });
  }
  return models;
}
