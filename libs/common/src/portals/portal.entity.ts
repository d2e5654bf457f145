import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PORTAL_STATUSES = ['active', 'paused', 'disabled'] as const;
export type PortalStatus = (typeof PORTAL_STATUSES)[number];

/** Per-portal settings; later issues add tiers, routing rules and enabled subscriptions. */
export interface PortalSettings {
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
