import type { CreateTableBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';
export interface MigrationContext {
  dialect: Dialect;
}

/** The one column type the two databases spell differently. */
export function withAutoIncrementId(ctx: MigrationContext) {
  return <T extends string>(table: CreateTableBuilder<T, never>) =>
    ctx.dialect === 'postgres'
      ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
      : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
