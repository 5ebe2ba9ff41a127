import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app.config.js';
import { UsersService } from './users.service.js';

/** Creates or promotes the administrator named by ADMIN_EMAIL/ADMIN_PASSWORD at start-up. */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly config: AppConfig,
    private readonly usersService: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.admin) return;
    const admin = await this.usersService.ensureAdmin(this.config.admin);
    this.logger.log(`administrator account ready: ${admin.email}`);
  }
}
