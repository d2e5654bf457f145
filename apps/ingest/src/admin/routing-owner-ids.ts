import type { LeadRoutingSettings, ServiceRoutingSettings } from '@app/common';

/** The routing settings that name HubSpot owners. */
export interface RoutingSettings {
  leadRouting?: LeadRoutingSettings;
  serviceRouting?: ServiceRoutingSettings;
}

/** One owner id and every setting path that names it, e.g. `leadRouting.rules[1].ownerId`. */
export interface OwnerIdUse {
  ownerId: string;
  paths: string[];
}

/**
 * The distinct owner ids the routing settings name, in the order they first appear, each with the setting paths
 * that name it (so an error can point at every place to fix). Pure.
 */
export function collectOwnerIds(settings: RoutingSettings): OwnerIdUse[] {
  const uses = new Map<string, string[]>();
  const add = (ownerId: string | undefined, path: string) => {
    if (ownerId === undefined || ownerId === '') return;
    const paths = uses.get(ownerId);
    if (paths) paths.push(path);
    else uses.set(ownerId, [path]);
  };
  for (const [name, routing] of [['leadRouting', settings.leadRouting], ['serviceRouting', settings.serviceRouting]] as const) {
    if (!routing) continue;
    add(routing.defaultOwnerId, `${name}.defaultOwnerId`);
    (routing.rules ?? []).forEach((rule, index) => add(rule.ownerId, `${name}.rules[${index}].ownerId`));
  }
  return [...uses].map(([ownerId, paths]) => ({ ownerId, paths }));
}
