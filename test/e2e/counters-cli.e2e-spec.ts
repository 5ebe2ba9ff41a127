import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, favorite, mapWithConcurrency, registerUsers } from '../support/articles.js';
import { Api } from '../support/http.js';
import { buildApp, removeBuild } from '../support/spawn-server.js';
import { startTestCluster, type TestCluster } from '../support/test-app.js';
import type { RegisteredUser } from '../support/users.js';

/**
 * `npm run counters -- --verify | --repair`, the compiled CLI run as a separate process against
 * the database a running server uses.
 */
describe('npm run counters', () => {
  let cluster: TestCluster;
  let api: Api;
  let users: RegisteredUser[];
  let cli: string;
  let workDir: string;

  beforeAll(async () => {
    const main = await buildApp();
    cli = join(dirname(main), 'cli/counters/run-counters.js');
    workDir = mkdtempSync(join(tmpdir(), 'conduit-counters-'));
    cluster = await startTestCluster(1, { CACHE_TTL_SECONDS: '0' });
    api = new Api(cluster.apps[0].baseUrl);
    users = await registerUsers(api, 3, 'cli');
    for (const user of users) await createArticle(api, user, { tagList: ['cli', user.username] });
  }, 180_000);
  afterAll(async () => {
    await cluster.close();
    rmSync(workDir, { recursive: true, force: true });
    await removeBuild();
  });

  const sql = (text: string) => cluster.apps[0].dataSource.query(text);

  /** Runs the CLI with the cluster's database settings only (no inherited environment). */
  const counters = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
      for (const name of ['DATABASE_URL', 'SQLITE_PATH'])
        if (cluster.env[name]) env[name] = cluster.env[name];
      execFile(process.execPath, [cli, ...args], { env, cwd: workDir }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('--verify exits 0 when every count is exact', async () => {
    const result = await counters('--verify');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/counters: every count is exact/);
  }, 60_000);

  it('--verify exits 1 listing drifted counts, --repair fixes them, --verify is then clean', async () => {
    const articles = Number(Object.values((await sql('SELECT COUNT(*) FROM articles'))[0])[0]);
    await sql("UPDATE article_counts SET total = total + 7 WHERE scope = 'all'");
    await sql("DELETE FROM article_counts WHERE scope = 'tag'");

    const verify = await counters('--verify');
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`all 0: stored ${articles + 7}, actual ${articles}`);
    // The `cli` tag and one tag per user lost their rows.
    expect(verify.stdout).toMatch(/counters: 5 count\(s\) differ from their rows .*--repair/);
    expect((await api.get('/api/articles')).body.articlesCount).toBe(articles + 7);

    const repair = await counters('--repair');
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/counters: repaired 5 count\(s\)/);
    expect((await api.get('/api/articles')).body.articlesCount).toBe(articles);
    expect((await api.get('/api/articles?tag=cli')).body.articlesCount).toBe(3);

    expect((await counters('--verify')).code).toBe(0);
  }, 120_000);

  it('--repair while the server takes writes leaves every count exact', async () => {
    await sql("UPDATE article_counts SET total = total + 3 WHERE scope = 'favorited'");
    const writes = mapWithConcurrency(
      Array.from({ length: 40 }, (_, i) => i),
      4,
      async (i) => {
        const author = users[i % users.length];
        const article = await createArticle(api, author, { tagList: ['cli'] });
        await favorite(api, users[(i + 1) % users.length], article.slug);
      },
    );
    const repair = await counters('--repair');
    await writes;
    expect(repair.code).toBe(0);
    const verify = await counters('--verify');
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toMatch(/every count is exact/);
  }, 120_000);

  it('rejects a missing or unknown command with the usage and exit code 2', async () => {
    for (const args of [[], ['--fix'], ['--verify', '--repair']]) {
      const result = await counters(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain('Usage: npm run counters -- --verify | --repair');
    }
    expect((await counters('--help')).stdout).toContain('--repair');
  }, 60_000);
});
