import { z } from 'zod';
import { email, password, personName, role } from './auth.js';
import { id, timestamp } from './common.js';

export const createUserRequest = z
  .strictObject({
    email,
    name: personName,
    password,
    role: role.default('agent'),
    /** Defaults to the organisation's first group. */
    defaultGroupId: id.optional(),
  })
  .meta({ id: 'CreateUserRequest' });
export type CreateUserRequest = z.input<typeof createUserRequest>;

export const updateUserRequest = z
  .strictObject({
    name: personName,
    role,
    active: z.boolean(),
    defaultGroupId: id,
    password,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, {
    message: 'at least one field is required',
    // Only worth saying when the fields themselves were fine.
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateUserRequest' });
export type UpdateUserRequest = z.input<typeof updateUserRequest>;

export const groupName = z.string().trim().min(1).max(100);
export const groupSchema = z
  .object({
    id,
    name: z.string(),
    memberIds: z.array(id),
    createdAt: timestamp,
  })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof groupSchema>;
export const createGroupRequest = z.strictObject({ name: groupName }).meta({ id: 'CreateGroupRequest' });
export const updateGroupRequest = z.strictObject({ name: groupName }).meta({ id: 'RenameGroupRequest' });
export const groupMemberParams = z.strictObject({ id, userId: id });
export const addGroupMemberRequest = z.strictObject({ userId: id }).meta({ id: 'AddGroupMemberRequest' });
