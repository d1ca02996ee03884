import type {
  CreateUserRequest,
  createGroupRequest,
  createUserRequest,
  Group,
  UpdateUserRequest,
  User,
} from '@lifeline/contracts';
import type { z } from 'zod';
import { isUniqueViolation } from '../../db/database.js';
import { toIso } from '../../lib/clock.js';
import type { Deps } from '../../lib/deps.js';
import { conflict, invalidField, notFound } from '../../lib/errors.js';
import { hashPassword } from '../../lib/passwords.js';
import type { Principal } from '../auth/principal.js';
import type { AccessChange } from '../realtime/access-feed.js';
import { type GroupWithMembers, PeopleRepository, type UserWithGroups } from './people.repository.js';

export const presentUser = (u: UserWithGroups): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active === 1,
  defaultGroupId: u.default_group_id,
  groupIds: u.groupIds,
  createdAt: toIso(u.created_at),
});

const presentGroup = (g: GroupWithMembers): Group => ({
  id: g.id,
  name: g.name,
  memberIds: g.memberIds,
  createdAt: toIso(g.created_at),
});

export interface NewOrganization {
  name: string;
  adminEmail: string;
  adminPassword: string;
  adminName?: string;
  groupName?: string;
}

export class PeopleService {
  private readonly repo: PeopleRepository;
  private readonly userChanged: ((userId: string) => void)[] = [];
  private readonly accessChanged: ((userId: string, change: AccessChange) => void)[] = [];

  constructor(private readonly deps: Deps) {
    this.repo = new PeopleRepository(deps.database.db);
  }

  /** The organisation's name, as customers see it in their pages and invitations. */
  async organizationName(orgId: string): Promise<string> {
    return (await this.repo.findOrganization(orgId))?.name ?? '';
  }

  async findOrganization(orgId: string) {
    return this.repo.findOrganization(orgId);
  }

  async hasGroup(orgId: string, groupId: string): Promise<boolean> {
    return (await this.repo.findGroup(orgId, groupId)) !== undefined;
  }

  async isActiveUser(orgId: string, userId: string): Promise<boolean> {
    return (await this.repo.findUser(orgId, userId))?.active === 1;
  }

  /** For the command line: up to `limit` organisations, to tell whether there is exactly one. */
  someOrganizations(limit: number) {
    return this.repo.someOrganizations(limit);
  }

  /** For signing in: any organisation's user by e-mail address. */
  findUserByEmail(email: string) {
    return this.repo.findUserByEmail(email);
  }

  /** Called after every change to a user (or attempt at one), so nothing keeps acting on the old user. */
  onUserChanged(listener: (userId: string) => void) {
    this.userChanged.push(listener);
  }

  /** Told after a deactivation or a password change, which end the user's sign-ins and sockets. */
  onAccessChanged(listener: (userId: string, change: AccessChange) => void) {
    this.accessChanged.push(listener);
  }

  /** An organisation with a first group ("Support") and its first admin. */
  async createOrganization(input: NewOrganization) {
    const now = this.deps.clock.now();
    const org = { id: this.deps.newId(), name: input.name, created_at: now };
    const group = {
      id: this.deps.newId(),
      org_id: org.id,
      name: input.groupName ?? 'Support',
      created_at: now,
    };
    const admin = {
      id: this.deps.newId(),
      org_id: org.id,
      email: input.adminEmail.toLowerCase(),
      name: input.adminName ?? 'Administrator',
      password_hash: await hashPassword(input.adminPassword),
      role: 'admin' as const,
      active: 1,
      default_group_id: group.id,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.repo.insertOrganization(org, group, admin);
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('email_taken', `A user with e-mail ${admin.email} already exists.`);
      throw err;
    }
    return { organizationId: org.id, groupId: group.id, adminId: admin.id };
  }

  /**
   * First start of a fresh install: create the organisation and the admin, with
   * a generated password when none was configured. Returns the credentials to print.
   */
  async bootstrap(): Promise<{ email: string; generatedPassword: string | undefined } | undefined> {
    if ((await this.repo.someOrganizations(1)).length > 0) return undefined;
    const { orgName, adminEmail, adminPassword } = this.deps.config.firstRun;
    const generatedPassword = adminPassword ? undefined : this.deps.random.token(12);
    await this.createOrganization({
      name: orgName,
      adminEmail,
      adminPassword: adminPassword ?? (generatedPassword as string),
    });
    return { email: adminEmail, generatedPassword };
  }

  async listUsers(p: Principal) {
    return (await this.repo.listUsers(p.orgId)).map(presentUser);
  }

  async getUser(orgId: string, id: string) {
    const user = await this.repo.findUser(orgId, id);
    if (!user) throw notFound('The user');
    return presentUser(user);
  }

  async createUser(
    orgId: string,
    input: z.output<typeof createUserRequest> | CreateUserRequest,
  ): Promise<User> {
    const defaultGroupId = input.defaultGroupId ?? (await this.repo.firstGroup(orgId))?.id;
    if (!defaultGroupId || !(await this.repo.findGroup(orgId, defaultGroupId))) {
      throw invalidField('defaultGroupId', 'is not a group of your organisation');
    }
    const now = this.deps.clock.now();
    const row = {
      id: this.deps.newId(),
      org_id: orgId,
      email: input.email.toLowerCase(),
      name: input.name,
      password_hash: await hashPassword(input.password),
      role: input.role ?? 'agent',
      active: 1,
      default_group_id: defaultGroupId,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.repo.insertUser(row);
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('email_taken', `A user with e-mail ${row.email} already exists.`);
      throw err;
    }
    return this.getUser(orgId, row.id);
  }

  async updateUser(p: Principal, id: string, input: UpdateUserRequest): Promise<User> {
    const user = await this.repo.findUser(p.orgId, id);
    if (!user) throw notFound('The user');
    if (input.defaultGroupId && !(await this.repo.findGroup(p.orgId, input.defaultGroupId))) {
      throw invalidField('defaultGroupId', 'is not a group of your organisation');
    }
    const losesAdmin =
      user.role === 'admin' && user.active === 1 && (input.role === 'agent' || input.active === false);
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    const now = this.deps.clock.now();
    const updated = await this.changingUser(id, () =>
      this.repo.updateUser(
        p.orgId,
        id,
        {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.role !== undefined && { role: input.role }),
          ...(input.active !== undefined && { active: input.active ? 1 : 0 }),
          ...(input.defaultGroupId !== undefined && { default_group_id: input.defaultGroupId }),
          ...(passwordHash !== undefined && { password_hash: passwordHash }),
          updated_at: now,
        },
        { keepAnotherAdmin: losesAdmin, now },
      ),
    );
    if (!updated) throw conflict('last_admin', 'The organisation must keep at least one active admin.');
    const change: AccessChange | undefined =
      input.active === false ? 'deactivated' : passwordHash !== undefined ? 'password_changed' : undefined;
    if (change) for (const listener of this.accessChanged) listener(id, change);
    return this.getUser(p.orgId, id);
  }

  private async changingUser<T>(userId: string, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } finally {
      for (const listener of this.userChanged) listener(userId);
    }
  }

  async listGroups(orgId: string) {
    return (await this.repo.listGroups(orgId)).map(presentGroup);
  }

  async getGroup(orgId: string, id: string) {
    const group = await this.repo.findGroup(orgId, id);
    if (!group) throw notFound('The group');
    return presentGroup(group);
  }

  async createGroup(orgId: string, input: z.output<typeof createGroupRequest>) {
    const id = this.deps.newId();
    try {
      await this.repo.insertGroup({ id, org_id: orgId, name: input.name, created_at: this.deps.clock.now() });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('group_name_taken', `A group named "${input.name}" already exists.`);
      throw err;
    }
    return this.getGroup(orgId, id);
  }

  async renameGroup(orgId: string, id: string, name: string) {
    await this.getGroup(orgId, id);
    try {
      await this.repo.renameGroup(id, name);
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('group_name_taken', `A group named "${name}" already exists.`);
      throw err;
    }
    return this.getGroup(orgId, id);
  }

  async addMember(orgId: string, groupId: string, userId: string) {
    await this.getGroup(orgId, groupId);
    if (!(await this.repo.findUser(orgId, userId)))
      throw invalidField('userId', 'is not a user of your organisation');
    await this.repo.addMember(groupId, userId);
    return this.getGroup(orgId, groupId);
  }

  async removeMember(orgId: string, groupId: string, userId: string) {
    await this.getGroup(orgId, groupId);
    const user = await this.repo.findUser(orgId, userId);
    if (!user) throw notFound('The user');
    if (user.default_group_id === groupId) {
      throw conflict(
        'default_group',
        "This is the user's default group; give them another default group first.",
      );
    }
    await this.repo.removeMember(groupId, userId);
    return this.getGroup(orgId, groupId);
  }
}
