import type { DataSource } from 'typeorm';
import type { PortalSettings } from '@app/common';

/** Named portal settings an install link applies to the portal it registers (PUT /admin/settings-templates/:name). */
export class SettingsTemplates {
  constructor(private readonly dataSource: DataSource) {}

  async save(name: string, settings: PortalSettings): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO settings_templates (name, settings, updated_at) VALUES ($1, $2::jsonb, now()) ON CONFLICT (name) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()`,
      [name, JSON.stringify(settings)],
    );
  }

  async find(name: string): Promise<PortalSettings | undefined> {
    const [row] = (await this.dataSource.query(`SELECT settings FROM settings_templates WHERE name = $1`, [name])) as Array<{ settings: PortalSettings }>;
    return row?.settings;
  }

  async list(): Promise<Array<{ name: string; settings: PortalSettings; updatedAt: string }>> {
    const rows = (await this.dataSource.query(`SELECT name, settings, updated_at FROM settings_templates ORDER BY name`)) as Array<{ name: string; settings: PortalSettings; updated_at: Date }>;
    return rows.map((r) => ({ name: r.name, settings: r.settings, updatedAt: new Date(r.updated_at).toISOString() }));
  }
}
