export { HubSpotSandbox } from './hubspot-sandbox';
export type { DefinedAssociationLabel, HubSpotSandboxOptions, ObjectSnapshot, SeedOptions } from './hubspot-sandbox';
export { signV1, signV2, signV3, normalizeUriForV3, webhookSignatureHeaders } from './webhook-signer';
export type * from './hubspot.types';
export type { AddOwnerInput, OwnerTeam, OwnerType } from './owner-registry';
export type { AddPipelineInput, AddPipelineStageInput } from './pipeline-registry';
export type { InstallInfo, InstallTarget, IssuedToken, IssuedKind, IssuedStatus } from './oauth/oauth.types';
