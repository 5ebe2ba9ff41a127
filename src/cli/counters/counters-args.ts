/** What `npm run counters` was asked to do. */
export type CountersCommand = 'verify' | 'repair' | 'help';

export const COUNTERS_USAGE = `Usage: npm run counters -- --verify | --repair
  --verify   compare every stored article count with a fresh COUNT(*) of its rows;
             exit 1 (listing them) when any differs, 0 when all are exact
  --repair   rewrite the counts that differ, in one transaction, safely on a live database
  --help     this text
Reads DATABASE_URL / SQLITE_PATH like the server (and .env when present).`;

export class CountersArgsError extends Error {}

/** Exactly one of --verify, --repair or --help. */
export function parseCountersArgs(argv: string[]): CountersCommand {
  const commands = new Set<CountersCommand>();
  for (const arg of argv) {
    const command = /^--(verify|repair|help)$/.exec(arg)?.[1] as CountersCommand | undefined;
    if (arg === '-h') commands.add('help');
    else if (command) commands.add(command);
    else throw new CountersArgsError(`unknown argument "${arg}"`);
  }
  if (commands.has('help')) return 'help';
  if (commands.size !== 1) throw new CountersArgsError('give exactly one of --verify or --repair');
  return [...commands][0];
}
