import {
  addGroupMemberRequest,
  createGroupRequest,
  createUserRequest,
  groupMemberParams,
  groupSchema,
  idParams,
  problemSchema,
  updateGroupRequest,
  updateUserRequest,
  userSchema,
} from '@lifeline/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Guard, principalOf } from '../../plugins/auth.js';
import type { PeopleService } from './people.service.js';

const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};

/** Every agent reads users and groups (to assign cases); only admins change them. */
export function peopleRoutes(app: FastifyInstance, people: PeopleService, guard: Guard) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const users = ['Users'];
  const groups = ['Groups'];

  r.get('/api/v1/users', {
    schema: {
      tags: users,
      summary: 'Users of your organisation',
      response: { 200: z.object({ items: z.array(userSchema) }), ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => ({ items: await people.listUsers(principalOf(req)) }),
  });

  r.post('/api/v1/users', {
    schema: {
      tags: users,
      summary: 'Add a user',
      body: createUserRequest,
      response: { 201: userSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) =>
      reply.status(201).send(await people.createUser(principalOf(req).orgId, req.body)),
  });

  r.get('/api/v1/users/:id', {
    schema: { tags: users, summary: 'One user', params: idParams, response: { 200: userSchema, ...errors } },
    onRequest: guard('cases:read'),
    handler: async (req) => people.getUser(principalOf(req).orgId, req.params.id),
  });

  r.patch('/api/v1/users/:id', {
    schema: {
      tags: users,
      summary: 'Change name, role, default group or password; deactivate or reactivate',
      params: idParams,
      body: updateUserRequest,
      response: { 200: userSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => people.updateUser(principalOf(req), req.params.id, req.body),
  });

  r.get('/api/v1/groups', {
    schema: {
      tags: groups,
      summary: 'Groups of your organisation',
      response: { 200: z.object({ items: z.array(groupSchema) }), ...errors },
    },
    onRequest: guard('cases:read'),
    handler: async (req) => ({ items: await people.listGroups(principalOf(req).orgId) }),
  });

  r.post('/api/v1/groups', {
    schema: {
      tags: groups,
      summary: 'Add a group',
      body: createGroupRequest,
      response: { 201: groupSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req, reply) =>
      reply.status(201).send(await people.createGroup(principalOf(req).orgId, req.body)),
  });

  r.patch('/api/v1/groups/:id', {
    schema: {
      tags: groups,
      summary: 'Rename a group',
      params: idParams,
      body: updateGroupRequest,
      response: { 200: groupSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => people.renameGroup(principalOf(req).orgId, req.params.id, req.body.name),
  });

  r.post('/api/v1/groups/:id/members', {
    schema: {
      tags: groups,
      summary: 'Add a member',
      params: idParams,
      body: addGroupMemberRequest,
      response: { 200: groupSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => people.addMember(principalOf(req).orgId, req.params.id, req.body.userId),
  });

  r.delete('/api/v1/groups/:id/members/:userId', {
    schema: {
      tags: groups,
      summary: 'Remove a member',
      params: groupMemberParams,
      response: { 200: groupSchema, ...errors },
    },
    onRequest: guard('admin'),
    handler: async (req) => people.removeMember(principalOf(req).orgId, req.params.id, req.params.userId),
  });
}
