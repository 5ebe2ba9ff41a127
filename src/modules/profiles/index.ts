/**
 * Public surface of the profiles module: the only file other feature modules may import from
 * it (entity files excepted, see eslint.config.js).
 */
export { ProfilesModule } from './profiles.module.js';
export { ProfilesService } from './profiles.service.js';
export { ProfileView } from './dto/profile.response.js';
export { Follow } from './entities/follow.entity.js';
