import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, EventStore, PortalRepository, startStory, StreamIds, deterministicId, type Clock, type Portal, type PortalSettings, type StoredEvent } from '@app/common';
import type { RegisterPortalDto } from './register-portal.dto';
import type { UpdatePortalDto } from './update-portal.dto';
import { createHash } from 'node:crypto';

@Injectable()
export class PortalAdminService {
  constructor(
    private readonly portals: PortalRepository,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async register(dto: RegisterPortalDto): Promise<Portal | 'exists'> {
    const result = await this.portals.register(dto);
    if (result.kind === 'exists') return 'exists';
    const registered = startStory({ type: 'PortalRegistered', portalId: dto.portalId, id: deterministicId('portal-registered', dto.portalId), data: { name: dto.name } }, this.clock());
    await this.eventStore.append({ streamId: StreamIds.portal(dto.portalId), events: [registered] });
    return result.portal;
  }

  update(portalId: number, dto: UpdatePortalDto): Promise<Portal | undefined> {
    const settings: PortalSettings = {};
    if (dto.enabledSubscriptions) settings.enabledSubscriptions = [...new Set(dto.enabledSubscriptions)];
    if (dto.workflowApiKey) settings.workflowApiKeySha256 = createHash('sha256').update(dto.workflowApiKey).digest('hex');
    return this.portals.updateSettings(portalId, { name: dto.name, status: dto.status, settings });
  }

  find(portalId: number): Promise<Portal | undefined> {
    return this.portals.find(portalId);
  }

  stream(streamId: string): Promise<StoredEvent[]> {
    return this.eventStore.readStream(streamId);
  }

  story(correlationId: string): Promise<StoredEvent[]> {
    return this.eventStore.readByCorrelation(correlationId);
  }
}
