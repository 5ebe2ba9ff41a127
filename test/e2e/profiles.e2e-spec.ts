import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectProfile } from '../support/articles.js';
import { expectErrorEnvelope } from '../support/envelope.js';
import { Api } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { registerUser, type RegisteredUser } from '../support/users.js';

describe('profiles', () => {
  let testApp: TestApp;
  let api: Api;
  let jake: RegisteredUser;
  let ann: RegisteredUser;

  beforeAll(async () => {
    testApp = await startTestApp();
    api = new Api(testApp.baseUrl);
    [jake, ann] = await Promise.all([registerUser(api, 'jake'), registerUser(api, 'ann')]);
  });
  afterAll(() => testApp.close());

  const followRows = async (follower: RegisteredUser, followee: RegisteredUser) =>
    Number(
      (
        await testApp.dataSource.query(
          `SELECT COUNT(*) AS n FROM follows WHERE follower_id = ${follower.id} AND followee_id = ${followee.id}`,
        )
      )[0].n,
    );

  describe('GET /api/profiles/:username', () => {
    it('returns the exact profile shape with following false to an anonymous caller', async () => {
      const response = await api.get(`/api/profiles/${jake.username}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(response.body)).toEqual(['profile']);
      expectProfile(response.body.profile, jake, false);
    });

    it('shows bio and image once the user has set them', async () => {
      const writer = await registerUser(api, 'writer');
      await api.put('/api/user', {
        token: writer.token,
        body: { user: { bio: 'I work at statefarm', image: 'https://example.com/me.jpg' } },
      });
      const response = await api.get(`/api/profiles/${writer.username}`);
      expect(response.body.profile).toEqual({
        username: writer.username,
        bio: 'I work at statefarm',
        image: 'https://example.com/me.jpg',
        following: false,
      });
    });

    it('computes following for the caller', async () => {
      const fan = await registerUser(api, 'fan');
      await api.post(`/api/profiles/${jake.username}/follow`, { token: fan.token });

      const asFan = await api.get(`/api/profiles/${jake.username}`, { token: fan.token });
      const asAnn = await api.get(`/api/profiles/${jake.username}`, { token: ann.token });
      const asSelf = await api.get(`/api/profiles/${jake.username}`, { token: jake.token });
      const anonymous = await api.get(`/api/profiles/${jake.username}`);

      expect(asFan.body.profile.following).toBe(true);
      expect(asAnn.body.profile.following).toBe(false);
      expect(asSelf.body.profile.following).toBe(false);
      expect(anonymous.body.profile.following).toBe(false);
    });

    it('returns 404 when no user has the username', async () => {
      const response = await api.get('/api/profiles/nobody_at_all');
      const errors = expectErrorEnvelope(response, 404, 'NOT_FOUND');
      expect(errors.body[0]).toContain('nobody_at_all');
    });

    it('returns 404 for a username no user can have', async () => {
      expectErrorEnvelope(await api.get('/api/profiles/a%00b'), 404, 'NOT_FOUND');
    });

    it('answers an invalid token as an anonymous caller, with WWW-Authenticate', async () => {
      const response = await api.get(`/api/profiles/${jake.username}`, { token: 'garbage' });
      expect(response.status).toBe(200);
      expect(response.body.profile).toMatchObject({ username: jake.username, following: false });
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });
  });

  describe('POST /api/profiles/:username/follow', () => {
    it('follows the user and returns the profile with following true', async () => {
      const follower = await registerUser(api, 'follower');
      const response = await api.post(`/api/profiles/${jake.username}/follow`, {
        token: follower.token,
      });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body)).toEqual(['profile']);
      expectProfile(response.body.profile, jake, true);
      expect(await followRows(follower, jake)).toBe(1);
    });

    it('is idempotent: following twice keeps one follow', async () => {
      const follower = await registerUser(api, 'follower');
      for (let i = 0; i < 2; i++) {
        const response = await api.post(`/api/profiles/${ann.username}/follow`, {
          token: follower.token,
        });
        expect(response.status).toBe(200);
        expectProfile(response.body.profile, ann, true);
      }
      expect(await followRows(follower, ann)).toBe(1);
    });

    it('returns 422 when users try to follow themselves', async () => {
      const response = await api.post(`/api/profiles/${jake.username}/follow`, {
        token: jake.token,
      });
      const errors = expectErrorEnvelope(response, 422, 'VALIDATION_FAILED');
      expect(Object.keys(errors)).toEqual(['username']);
      expect(await followRows(jake, jake)).toBe(0);
    });

    it('returns 401 to an anonymous caller', async () => {
      const response = await api.post(`/api/profiles/${jake.username}/follow`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });

    it('returns 404 when the user does not exist', async () => {
      const response = await api.post('/api/profiles/nobody_at_all/follow', { token: ann.token });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });
  });

  describe('DELETE /api/profiles/:username/follow', () => {
    it('unfollows the user and returns the profile with following false', async () => {
      const follower = await registerUser(api, 'follower');
      await api.post(`/api/profiles/${jake.username}/follow`, { token: follower.token });

      const response = await api.delete(`/api/profiles/${jake.username}/follow`, {
        token: follower.token,
      });
      expect(response.status).toBe(200);
      expectProfile(response.body.profile, jake, false);
      expect(await followRows(follower, jake)).toBe(0);
      const reread = await api.get(`/api/profiles/${jake.username}`, { token: follower.token });
      expect(reread.body.profile.following).toBe(false);
    });

    it('is idempotent: unfollowing twice, or someone never followed, is not an error', async () => {
      const follower = await registerUser(api, 'follower');
      await api.post(`/api/profiles/${ann.username}/follow`, { token: follower.token });
      for (let i = 0; i < 2; i++) {
        const response = await api.delete(`/api/profiles/${ann.username}/follow`, {
          token: follower.token,
        });
        expect(response.status).toBe(200);
        expectProfile(response.body.profile, ann, false);
      }
      const never = await api.delete(`/api/profiles/${jake.username}/follow`, {
        token: follower.token,
      });
      expect(never.status).toBe(200);
      expectProfile(never.body.profile, jake, false);
    });

    it('only removes the caller’s own follow', async () => {
      const [first, second] = await Promise.all([
        registerUser(api, 'first'),
        registerUser(api, 'second'),
      ]);
      await api.post(`/api/profiles/${ann.username}/follow`, { token: first.token });
      await api.post(`/api/profiles/${ann.username}/follow`, { token: second.token });
      await api.delete(`/api/profiles/${ann.username}/follow`, { token: first.token });
      expect(await followRows(first, ann)).toBe(0);
      expect(await followRows(second, ann)).toBe(1);
    });

    it('returns 401 to an anonymous caller', async () => {
      const response = await api.delete(`/api/profiles/${jake.username}/follow`);
      expectErrorEnvelope(response, 401, 'UNAUTHORIZED');
    });

    it('returns 404 when the user does not exist', async () => {
      const response = await api.delete('/api/profiles/nobody_at_all/follow', {
        token: ann.token,
      });
      expectErrorEnvelope(response, 404, 'NOT_FOUND');
    });
  });
});
