import { attachmentRoutes } from './attachments';
import { catalogRoutes } from './catalog';
import { deadLetterRoutes } from './dead-letters';
import { messageRoutes } from './messages';
import { peopleRoutes } from './people';
import type { RouteDef } from './route';
import { serviceLevelRoutes } from './service-levels';
import { ticketRoutes } from './tickets';

/** Every authenticated route of /api/v1: the router and the authorization matrix test both read this. */
export const routeTable: readonly RouteDef[] = [
  ...peopleRoutes,
  ...ticketRoutes,
  ...messageRoutes,
  ...attachmentRoutes,
  ...catalogRoutes,
  ...deadLetterRoutes,
  ...serviceLevelRoutes,
];
