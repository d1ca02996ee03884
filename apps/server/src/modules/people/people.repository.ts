import { type Insertable, sql, type Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, UserRow } from '../../db/schema.js';

export type GroupWithMembers = { id: string; name: string; created_at: number; memberIds: string[] };
export type UserWithGroups = UserRow & { groupIds: string[] };

export class PeopleRepository {
  constructor(private readonly db: Db) {}

  /** Up to `limit` organisations, oldest first: enough to tell "none", "one" and "several" apart. */
  async someOrganizations(limit: number) {
    return this.db
      .selectFrom('organizations')
      .select(['id', 'name'])
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  async findOrganization(id: string) {
    return this.db.selectFrom('organizations').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  /** Creates the organisation, its first group and its first admin, or none of them. */
  async insertOrganization(
    org: Insertable<Database['organizations']>,
    group: Insertable<Database['groups']>,
    admin: Insertable<Database['users']>,
  ) {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('organizations').values(org).execute();
      await trx.insertInto('groups').values(group).execute();
      await trx.insertInto('users').values(admin).execute();
      await trx.insertInto('group_members').values({ group_id: group.id, user_id: admin.id }).execute();
    });
  }

  async findUserByEmail(email: string) {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async findUser(orgId: string, id: string): Promise<UserWithGroups | undefined> {
    const user = await this.db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!user) return undefined;
    const groups = await this.db
      .selectFrom('group_members')
      .select('group_id')
      .where('user_id', '=', id)
      .execute();
    return { ...user, groupIds: groups.map((g) => g.group_id) };
  }

  async listUsers(orgId: string): Promise<UserWithGroups[]> {
    const users = await this.db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const members = await this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .select(['group_members.user_id', 'group_members.group_id'])
      .where('users.org_id', '=', orgId)
      .execute();
    return users.map((u) => ({
      ...u,
      groupIds: members.filter((m) => m.user_id === u.id).map((m) => m.group_id),
    }));
  }

  async insertUser(user: Insertable<Database['users']>) {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(user).execute();
      await trx
        .insertInto('group_members')
        .values({ group_id: user.default_group_id, user_id: user.id })
        .execute();
    });
  }

  /**
   * With `keepAnotherAdmin`, refuses (returns false) unless another active admin
   * remains. The organisation row is locked first, so two admins demoting each
   * other at once cannot both succeed.
   */
  async updateUser(
    orgId: string,
    id: string,
    patch: Updateable<Database['users']>,
    options: { keepAnotherAdmin: boolean; now: number },
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (options.keepAnotherAdmin) {
        await trx.updateTable('organizations').set({ name: sql`name` }).where('id', '=', orgId).execute();
        const others = await trx
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', orgId)
          .where('role', '=', 'admin')
          .where('active', '=', 1)
          .where('id', '!=', id)
          .executeTakeFirstOrThrow();
        if (Number(others.n) === 0) return false;
      }
      await trx.updateTable('users').set(patch).where('id', '=', id).execute();
      if (patch.default_group_id) {
        // The default group is always one the user belongs to.
        await trx
          .insertInto('group_members')
          .values({ group_id: patch.default_group_id, user_id: id })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      // A new password (an admin's reset) ends every sign-in made with the old one.
      if (patch.active === 0 || patch.password_hash !== undefined)
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      if (patch.active === 0) {
        // Ended for good: reactivating the user must not bring back what was out there meanwhile.
        await trx
          .updateTable('api_tokens')
          .set({ revoked_at: options.now })
          .where('user_id', '=', id)
          .where('revoked_at', 'is', null)
          .execute();
        // The OAuth provider's grants, tokens and sign-ins of this account (its id is only in the payload).
        await trx
          .deleteFrom('oauth_records')
          .where('payload', 'like', `%"accountId":${JSON.stringify(id)}%`)
          .execute();
      }
      return true;
    });
  }

  async findGroup(orgId: string, id: string): Promise<GroupWithMembers | undefined> {
    const group = await this.db
      .selectFrom('groups')
      .select(['id', 'name', 'created_at'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!group) return undefined;
    const members = await this.db
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', id)
      .execute();
    return { ...group, memberIds: members.map((m) => m.user_id) };
  }

  async firstGroup(orgId: string) {
    return this.db
      .selectFrom('groups')
      .select('id')
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
  }

  async listGroups(orgId: string): Promise<GroupWithMembers[]> {
    const groups = await this.db
      .selectFrom('groups')
      .select(['id', 'name', 'created_at'])
      .where('org_id', '=', orgId)
      .orderBy('name')
      .execute();
    const members = await this.db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select(['group_members.group_id', 'group_members.user_id'])
      .where('groups.org_id', '=', orgId)
      .execute();
    return groups.map((g) => ({
      ...g,
      memberIds: members.filter((m) => m.group_id === g.id).map((m) => m.user_id),
    }));
  }

  async insertGroup(group: Insertable<Database['groups']>) {
    await this.db.insertInto('groups').values(group).execute();
  }

  async renameGroup(id: string, name: string) {
    await this.db.updateTable('groups').set({ name }).where('id', '=', id).execute();
  }

  async addMember(groupId: string, userId: string) {
    await this.db
      .insertInto('group_members')
      .values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async removeMember(groupId: string, userId: string) {
    await this.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .execute();
  }
}
