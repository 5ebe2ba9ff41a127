import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { {{Entity}}OwnershipPolicy } from './{{kebab}}-ownership.policy.js';
import { {{Entities}}Controller } from './{{kebabs}}.controller.js';
import { {{Entities}}Service } from './{{kebabs}}.service.js';
import { {{Entity}} } from './entities/{{kebab}}.entity.js';

/** {{Tag}}: private, user-owned records at `/api/{{kebabs}}`. */
@Module({
  imports: [TypeOrmModule.forFeature([{{Entity}}])],
  controllers: [{{Entities}}Controller],
  providers: [{{Entities}}Service, {{Entity}}OwnershipPolicy],
  exports: [{{Entities}}Service],
})
export class {{Entities}}Module {}
