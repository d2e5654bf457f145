import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PORTAL_STATUSES = ['active', 'paused', 'disabled'] as const;
export type PortalStatus = (typeof PORTAL_STATUSES)[number];

/** Per-portal settings, kept as JSON on the portal row. */
export interface PortalSettings {
  /** Subscription types this portal processes; absent = every type the platform knows. */
  enabledSubscriptions?: string[];
  /** SHA-256 (hex) of the API key its workflow "Send a webhook" actions present; never the key. */
  workflowApiKeySha256?: string;
  [key: string]: unknown;
}

@Entity({ name: 'portals' })
export class PortalEntity {
  @PrimaryColumn({ name: 'portal_id', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  portalId: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  status: PortalStatus;

  /** AES-256-GCM ciphertext; see TokenCipher. Never the token itself. */
  @Column({ name: 'access_token_encrypted', type: 'text' })
  accessTokenEncrypted: string;

  @Column({ type: 'jsonb' })
  settings: PortalSettings;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
