import { Module } from '@nestjs/common';
import { OperatorAlerts, PortalAccess } from '@app/common';
import { WritebackStreamConsumer } from './pipeline/writeback-stream.consumer';
import { HubSpotBatchWriter } from './writebacks/hubspot-batch-writer';
import { WritebackExecutor } from './writebacks/writeback-executor';

@Module({ providers: [HubSpotBatchWriter, PortalAccess, OperatorAlerts, WritebackExecutor, WritebackStreamConsumer] })
export class WriterModule {}
