import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app.config.js';
import { type AdminBootstrapOutcome, UsersService } from './users.service.js';

/** One log line describing a bootstrap outcome (shared by the server and `npm run seed`). */
export function describeAdminBootstrap(outcome: AdminBootstrapOutcome): {
  level: 'log' | 'warn';
  message: string;
} {
  switch (outcome.kind) {
    case 'created':
      return outcome.user.username === outcome.requestedUsername
        ? { level: 'log', message: `administrator created: ${outcome.user.email}` }
        : {
            level: 'warn',
            message: `administrator created: ${outcome.user.email} as "${outcome.user.username}" (username "${outcome.requestedUsername}" is taken)`,
          };
    case 'present':
      return { level: 'log', message: `administrator account ready: ${outcome.user.email}` };
    case 'refused':
      return { level: 'warn', message: `administrator bootstrap skipped: ${outcome.reason}` };
  }
}

/**
 * Creates the first administrator named by ADMIN_EMAIL/ADMIN_PASSWORD at start-up, while no
 * administrator exists; never promotes an existing account (see UsersService.bootstrapAdmin).
 */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly config: AppConfig,
    private readonly usersService: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.admin) return;
    const { level, message } = describeAdminBootstrap(
      await this.usersService.bootstrapAdmin(this.config.admin),
    );
    this.logger[level](message);
  }
}
