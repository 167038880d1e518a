import { attachmentRoutes } from './attachments';
import { catalogRoutes } from './catalog';
import { customerRoutes } from './customers';
import { deadLetterRoutes } from './dead-letters';
import { messageRoutes } from './messages';
import { peopleRoutes } from './people';
import { reportRoutes } from './reports';
import type { RouteDef } from './route';
import { serviceLevelRoutes } from './service-levels';
import { ticketRoutes } from './tickets';
import { triageRoutes } from './triage';

/** Every authenticated route of /api/v1: the router and the authorization matrix test both read this. */
export const routeTable: readonly RouteDef[] = [
  ...peopleRoutes,
  ...reportRoutes,
  ...triageRoutes,
  ...ticketRoutes,
  ...customerRoutes,
  ...messageRoutes,
  ...attachmentRoutes,
  ...catalogRoutes,
  ...deadLetterRoutes,
  ...serviceLevelRoutes,
];
