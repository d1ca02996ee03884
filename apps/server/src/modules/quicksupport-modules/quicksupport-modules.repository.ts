import type { Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, ModuleRow } from '../../db/schema.js';

export type ModuleWithOrg = ModuleRow & { org_name: string };

export class QuickSupportModulesRepository {
  constructor(private readonly db: Db) {}

  async list(orgId: string): Promise<ModuleRow[]> {
    return this.db
      .selectFrom('modules')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async find(orgId: string, id: string): Promise<ModuleRow | undefined> {
    return this.db
      .selectFrom('modules')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** For customers, who have no organisation: the slug alone, across all organisations. */
  async findBySlug(slug: string): Promise<ModuleWithOrg | undefined> {
    return this.db
      .selectFrom('modules')
      .innerJoin('organizations', 'organizations.id', 'modules.org_id')
      .selectAll('modules')
      .select('organizations.name as org_name')
      .where('modules.slug', '=', slug)
      .executeTakeFirst();
  }

  async insert(row: ModuleRow): Promise<void> {
    await this.db.insertInto('modules').values(row).execute();
  }

  async update(orgId: string, id: string, patch: Updateable<Database['modules']>): Promise<boolean> {
    const result = await this.db
      .updateTable('modules')
      .set(patch)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The logo goes with it (foreign key, on delete cascade). */
  async delete(orgId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('modules')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Replaces the logo and moves the module's logo version, together or not at all. */
  async setLogo(
    orgId: string,
    id: string,
    logo: { contentType: string; bytes: Buffer },
    now: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('modules')
        .set({ logo_version: now, updated_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx
        .insertInto('module_logos')
        .values({ module_id: id, content_type: logo.contentType, bytes: logo.bytes })
        .onConflict((oc) =>
          oc.column('module_id').doUpdateSet({ content_type: logo.contentType, bytes: logo.bytes }),
        )
        .execute();
      return true;
    });
  }

  async removeLogo(orgId: string, id: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('modules')
        .set({ logo_version: null, updated_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await trx.deleteFrom('module_logos').where('module_id', '=', id).execute();
      return true;
    });
  }

  async logoBySlug(slug: string) {
    return this.db
      .selectFrom('modules')
      .innerJoin('module_logos', 'module_logos.module_id', 'modules.id')
      .select(['module_logos.content_type', 'module_logos.bytes', 'modules.logo_version'])
      .where('modules.slug', '=', slug)
      .executeTakeFirst();
  }

  /** Branding for a case's customer pages; absent once the module is deleted. */
  async brandingOf(moduleId: string) {
    return this.db
      .selectFrom('modules')
      .select(['slug', 'title', 'accent_color', 'logo_version'])
      .where('id', '=', moduleId)
      .executeTakeFirst();
  }
}
