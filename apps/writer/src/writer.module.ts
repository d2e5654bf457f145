import { Module } from '@nestjs/common';
import { PortalAccess } from '@app/common';
import { WritebackStreamConsumer } from './pipeline/writeback-stream.consumer';
import { WriterMetrics } from './metrics/writer-metrics';
import { AssociationLabels } from './writebacks/association-labels';
import { CreateReadBack } from './writebacks/create-readback';
import { HubSpotBatchWriter } from './writebacks/hubspot-batch-writer';
import { WritebackExecutor } from './writebacks/writeback-executor';

@Module({ providers: [HubSpotBatchWriter, CreateReadBack, AssociationLabels, PortalAccess, WritebackExecutor, WritebackStreamConsumer, WriterMetrics] })
export class WriterModule {}
