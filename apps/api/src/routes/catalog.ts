import {
  canManageCategories,
  cannedReplySchema,
  canReadCannedReplies,
  categorySchema,
  createCannedReplyInputSchema,
  createCategoryInputSchema,
  updateCannedReplyInputSchema,
  updateCategoryInputSchema,
} from '@tikethet/domain';
import { z } from 'zod';
import { idParam, parseWith } from '../http/validate';
import type { RouteDef } from './route';

const categoriesQuerySchema = z.strictObject({
  archived: z.enum(['0', '1', 'true', 'false']).optional(),
});

export const catalogRoutes: RouteDef[] = [
  {
    method: 'get',
    path: '/categories',
    access: 'user',
    summary: 'The categories (archived ones too with archived=1)',
    query: categoriesQuerySchema,
    response: z.array(categorySchema),
    async handle({ services, actor, query }) {
      const { archived } = parseWith(categoriesQuerySchema, query);
      return services.uc.listCategories(actor, archived === '1' || archived === 'true');
    },
  },
  {
    method: 'post',
    path: '/categories',
    access: 'admin',
    guard: canManageCategories,
    summary: 'Add a category',
    body: createCategoryInputSchema,
    response: categorySchema,
    status: 201,
    handle: ({ services, actor, readBody }) =>
      services.uc.createCategory(actor, readBody(createCategoryInputSchema)),
  },
  {
    method: 'patch',
    path: '/categories/:id',
    access: 'admin',
    guard: canManageCategories,
    summary: 'Rename, reorder, archive or restore a category',
    body: updateCategoryInputSchema,
    response: categorySchema,
    handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      return services.uc.updateCategory(actor, id, readBody(updateCategoryInputSchema));
    },
  },
  {
    method: 'delete',
    path: '/categories/:id',
    access: 'admin',
    guard: canManageCategories,
    summary: 'Archive a category (tickets keep it)',
    response: categorySchema,
    // Archived, not deleted: tickets keep pointing at it.
    handle: ({ services, actor, params }) => services.uc.archiveCategory(actor, idParam(params)),
  },
  {
    method: 'get',
    path: '/canned-replies',
    access: 'staff',
    guard: canReadCannedReplies,
    summary: "The shared canned replies and the caller's own",
    response: z.array(cannedReplySchema),
    handle: ({ services, actor }) => services.uc.listCannedReplies(actor),
  },
  {
    method: 'post',
    path: '/canned-replies',
    access: 'staff',
    guard: canReadCannedReplies,
    summary: 'Add a canned reply (shared: admins only)',
    body: createCannedReplyInputSchema,
    response: cannedReplySchema,
    status: 201,
    handle: ({ services, actor, readBody }) =>
      services.uc.createCannedReply(actor, readBody(createCannedReplyInputSchema)),
  },
  {
    method: 'patch',
    path: '/canned-replies/:id',
    access: 'staff',
    guard: canReadCannedReplies,
    summary: 'Edit a canned reply (agents their own, admins any)',
    body: updateCannedReplyInputSchema,
    response: cannedReplySchema,
    handle({ services, actor, params, readBody }) {
      const id = idParam(params);
      return services.uc.updateCannedReply(actor, id, readBody(updateCannedReplyInputSchema));
    },
  },
  {
    method: 'delete',
    path: '/canned-replies/:id',
    access: 'staff',
    guard: canReadCannedReplies,
    summary: 'Delete a canned reply (agents their own, admins any)',
    status: 204,
    async handle({ services, actor, params }) {
      await services.uc.deleteCannedReply(actor, idParam(params));
      return undefined;
    },
  },
];
