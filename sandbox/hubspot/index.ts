export { HubSpotSandbox } from './hubspot-sandbox';
export type { HubSpotSandboxOptions, ObjectSnapshot, SeedOptions } from './hubspot-sandbox';
export { signV1, signV2, signV3, normalizeUriForV3, webhookSignatureHeaders } from './webhook-signer';
export type * from './hubspot.types';
