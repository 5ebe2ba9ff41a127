import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createArticle, registerUsers } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api, type ApiResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

const ROUNDS = 8;
const WRITERS = 12;

/**
 * Issue 14 item 9: writes racing the deletion of their article. Each round fires comments,
 * favorites and the author's updates at an article and deletes it while they are in flight.
 * Every write either lands before the delete (200) or finds the article gone (404 in the
 * envelope): never a 500 from a foreign-key violation or a row that vanished between a write
 * and its read-back.
 */
describe('writes racing the deletion of their article', () => {
  let testApp: TestApp;
  let api: Api;
  let author: RegisteredUser;
  let crowd: RegisteredUser[];

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    author = await registerUser(api, 'author');
    crowd = await registerUsers(api, WRITERS, 'racer');
  });
  afterAll(() => testApp.close());

  it('answers every racing comment, favorite and update with 200 or 404, never 500', async () => {
    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const { slug } = await createArticle(api, author);
      const path = `/api/articles/${slug}`;
      const label = (name: string) => (response: ApiResponse) =>
        [name, response] as [string, ApiResponse];
      const fireWrites = (): Array<Promise<[string, ApiResponse]>> =>
        crowd.flatMap((user, index) => [
          api
            .post(`${path}/comments`, { token: user.token, body: { comment: { body: 'race' } } })
            .then(label('comment')),
          ...(index % 3 === 0
            ? [api.post(`${path}/favorite`, { token: user.token }).then(label('favorite'))]
            : []),
          ...(index % 4 === 0
            ? [
                api
                  .put(path, {
                    token: author.token,
                    body: { article: { body: `edit ${index}`, tagList: [`race${index}`] } },
                  })
                  .then(label('update')),
              ]
            : []),
        ]);
      // One wave is sent before the delete and one while it is in flight, so both outcomes
      // occur however fast the server is; the pause varies where in the burst the delete lands.
      const writes = fireWrites();
      await new Promise((resolve) => setTimeout(resolve, round % 4));
      const pendingDeletion = api.delete(path, { token: author.token });
      writes.push(...fireWrites());
      const deletion = await pendingDeletion;
      expect(deletion.status).toBe(204);
      for (const [name, response] of await Promise.all(writes)) {
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 404) expectErrorEnvelope(response, 404, 'NOT_FOUND');
        else if (response.status !== 200)
          unexpected.push(`${name} → ${response.status} ${JSON.stringify(response.body)}`);
      }
      expect((await api.get(path)).status).toBe(404);
    }
    expect(unexpected).toEqual([]);
    // The race really happened: some writes landed and some found the article gone.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);
  });

  it('leaves no comment, favorite or tag link of a deleted article behind', async () => {
    const orphans = await testApp.dataSource.query(
      `SELECT (SELECT COUNT(*) FROM comments c WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id))
            + (SELECT COUNT(*) FROM favorites f WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = f.article_id))
            + (SELECT COUNT(*) FROM article_tags t WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = t.article_id))
            AS n`,
    );
    expect(Number(orphans[0].n)).toBe(0);
  });
});
