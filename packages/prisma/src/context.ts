import type { PrismaLikeClient, TableName } from './sql';

/** What every store of this adapter shares: the client and the table namer for the configured schema. */
export interface StoreContext {
  client: PrismaLikeClient;
  table(name: TableName): string;
}
