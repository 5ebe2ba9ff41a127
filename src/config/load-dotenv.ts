import { existsSync } from 'node:fs';

// A local .env is convenient in development; real deployments set the environment directly.
// Imported first by every entry point (server, migration CLI, seed): entity decorators read
// DATABASE_URL when their modules load, so .env must be applied before any other import.
if (existsSync('.env')) process.loadEnvFile('.env');
