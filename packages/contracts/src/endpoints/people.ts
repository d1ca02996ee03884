import { z } from 'zod';
import { userSchema } from '../auth.js';
import { idParams } from '../common.js';
import { defineEndpoint } from '../endpoint.js';
import {
  addGroupMemberRequest,
  createGroupRequest,
  createUserRequest,
  groupMemberParams,
  groupSchema,
  updateGroupRequest,
  updateUserRequest,
} from '../people.js';

const userTags = ['Users'];
const groupTags = ['Groups'];

/** Every agent reads users and groups (to assign cases); only admins change them. */
export const users = {
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/users',
    operationId: 'listUsers',
    summary: 'Users of your organisation',
    description: 'Every user, active or not, with role, groups and default group.',
    tags: userTags,
    access: 'cases:read',
    responses: { 200: z.object({ items: z.array(userSchema) }) },
    problems: [],
  }),
  create: defineEndpoint({
    method: 'POST',
    path: '/api/v1/users',
    operationId: 'createUser',
    summary: 'Add a user',
    description: 'Admins only. The e-mail address must be unused (409 otherwise).',
    tags: userTags,
    access: 'admin',
    body: createUserRequest,
    responses: { 201: userSchema },
    problems: [404, 409],
  }),
  get: defineEndpoint({
    method: 'GET',
    path: '/api/v1/users/{id}',
    operationId: 'getUser',
    summary: 'One user',
    description: 'A user of your organisation by id.',
    tags: userTags,
    access: 'cases:read',
    params: idParams,
    responses: { 200: userSchema },
    problems: [404],
  }),
  update: defineEndpoint({
    method: 'PATCH',
    path: '/api/v1/users/{id}',
    operationId: 'updateUser',
    summary: 'Change a user',
    description:
      'Admins only: name, role, default group or password; deactivate or reactivate. Deactivation and a new password end the user’s sessions and sockets at once.',
    tags: userTags,
    access: 'admin',
    params: idParams,
    body: updateUserRequest,
    responses: { 200: userSchema },
    problems: [404, 409],
  }),
};

export const groups = {
  list: defineEndpoint({
    method: 'GET',
    path: '/api/v1/groups',
    operationId: 'listGroups',
    summary: 'Groups of your organisation',
    description: 'The queue groups with their members.',
    tags: groupTags,
    access: 'cases:read',
    responses: { 200: z.object({ items: z.array(groupSchema) }) },
    problems: [],
  }),
  create: defineEndpoint({
    method: 'POST',
    path: '/api/v1/groups',
    operationId: 'createGroup',
    summary: 'Add a group',
    description: 'Admins only. Group names are unique within the organisation (409 otherwise).',
    tags: groupTags,
    access: 'admin',
    body: createGroupRequest,
    responses: { 201: groupSchema },
    problems: [409],
  }),
  rename: defineEndpoint({
    method: 'PATCH',
    path: '/api/v1/groups/{id}',
    operationId: 'renameGroup',
    summary: 'Rename a group',
    description: 'Admins only. Group names are unique within the organisation (409 otherwise).',
    tags: groupTags,
    access: 'admin',
    params: idParams,
    body: updateGroupRequest,
    responses: { 200: groupSchema },
    problems: [404, 409],
  }),
  addMember: defineEndpoint({
    method: 'POST',
    path: '/api/v1/groups/{id}/members',
    operationId: 'addGroupMember',
    summary: 'Add a member',
    description: 'Admins only. Adding a member twice changes nothing.',
    tags: groupTags,
    access: 'admin',
    params: idParams,
    body: addGroupMemberRequest,
    responses: { 200: groupSchema },
    problems: [404, 409],
  }),
  removeMember: defineEndpoint({
    method: 'DELETE',
    path: '/api/v1/groups/{id}/members/{userId}',
    operationId: 'removeGroupMember',
    summary: 'Remove a member',
    description: 'Admins only. A user’s default group cannot be taken away (409).',
    tags: groupTags,
    access: 'admin',
    params: groupMemberParams,
    responses: { 200: groupSchema },
    problems: [404, 409],
  }),
};
