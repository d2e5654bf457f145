import { Test, type TestingModule } from '@nestjs/testing';
import { PlatformModule, type AppConfig, type Logger } from '@app/common';
import type { HubSpotSandbox } from '../../sandbox/hubspot';
import { WriterModule } from '../../apps/writer/src/writer.module';

/** The writer, in process, on the test's config: consuming as soon as this resolves. */
export async function startWriter(config: AppConfig, logger: Logger): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config, 'writer', logger), WriterModule] }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** A portal in the sandbox with token `pat-<portalId>` and the given text properties on contacts. */
export function addSandboxPortal(sandbox: HubSpotSandbox, portalId: number, properties: string[] = ['ai_lead_score']): void {
  sandbox.addPortal({ portalId, accessToken: `pat-${portalId}` });
  for (const name of properties) sandbox.defineProperty(portalId, 'contacts', { name, label: name, type: 'string', fieldType: 'text', groupName: 'contactinformation' });
}
