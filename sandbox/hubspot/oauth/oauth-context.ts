import type { AppConfig, PortalInfo } from '../hubspot.types';
import type { InstallRegistry } from './install-registry';
import type { TokenStore } from './token-store';

/** What the OAuth endpoints need from the sandbox. */
export interface OAuthHost {
  now(): number;
  apps(): AppConfig[];
  portal(portalId: number): PortalInfo | undefined;
  portals(): PortalInfo[];
  /** The portal of a static (private-app) token added with addPortal. */
  staticTokenPortal(token: string): PortalInfo | undefined;
  /** An app was installed in the portal through OAuth. */
  installed(portalId: number, appId: number): void;
  /** An app's install in the portal ended (uninstall). */
  uninstalled(portalId: number, appId: number): void;
}

export interface OAuthContext {
  host: OAuthHost;
  registry: InstallRegistry;
  tokens: TokenStore;
  rotateRefreshTokens: boolean;
}

export function appByClientId(host: OAuthHost, clientId: string | null): AppConfig | undefined {
  if (!clientId) return undefined;
  return host.apps().find((a) => a.clientId === clientId);
}
