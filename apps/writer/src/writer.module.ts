import { Module } from '@nestjs/common';
import { WritebackStreamConsumer } from './pipeline/writeback-stream.consumer';
import { HubSpotBatchWriter } from './writebacks/hubspot-batch-writer';
import { PortalAccess } from './writebacks/portal-access';
import { WritebackExecutor } from './writebacks/writeback-executor';

@Module({ providers: [HubSpotBatchWriter, PortalAccess, WritebackExecutor, WritebackStreamConsumer] })
export class WriterModule {}
