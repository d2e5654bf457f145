import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminController } from './admin.controller';
import { PortalAdminService } from './portal-admin.service';

/**
 * The admin API runs as a second Nest application on its own port (ADMIN_PORT,
 * loopback by default) and reuses the ingest application's platform instances,
 * so there is one connection pool and one relay per process.
 */
@Module({})
export class AdminModule {
  static withShared(shared: Provider[]): DynamicModule {
    return {
      module: AdminModule,
      controllers: [AdminController],
      providers: [...shared, AdminAuthGuard, PortalAdminService],
    };
  }
}
