/** One hop of a browser navigation. */
export interface BrowserResponse {
  status: number;
  url: string;
  location: string | null;
  body: any;
  headers: Headers;
}

/**
 * A minimal browser for redirect flows: follows redirects by hand and keeps cookies per host
 * (name → value; enough for the API's and the provider's cookies in tests).
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  /**
   * Navigates to `url` and follows redirects until a response is not a redirect or the next
   * location satisfies `stopAt` (e.g. the client app's redirect URI, which does not exist).
   */
  async navigate(
    url: string,
    stopAt: (location: string) => boolean = () => false,
  ): Promise<BrowserResponse> {
    let current = url;
    for (let hop = 0; hop < 20; hop += 1) {
      const response = await this.request(current);
      if (response.location === null || stopAt(response.location)) return response;
      current = response.location;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** One request with this browser's cookies; the location is made absolute. */
  async request(url: string): Promise<BrowserResponse> {
    const target = new URL(url);
    const cookies = this.jar.get(target.host);
    const headers: Record<string, string> = {};
    if (cookies?.size) {
      headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await fetch(target, { redirect: 'manual', headers });
    this.store(target.host, response.headers.getSetCookie());
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    const location = response.headers.get('location');
    return {
      status: response.status,
      url,
      location: location === null ? null : new URL(location, target).href,
      body,
      headers: response.headers,
    };
  }

  /**
   * Gives `toHost` the cookies of `fromHost`, as one site behind a load balancer would have
   * them (tests run instances of one deployment on different ports).
   */
  shareCookies(fromHost: string, toHost: string): void {
    this.jar.set(toHost, new Map(this.jar.get(fromHost) ?? []));
  }

  /** The cookie `name` this browser holds for `host`. */
  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  private store(host: string, setCookies: string[]): void {
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      const expired = attributes.some(
        (attribute) =>
          /^max-age=0$/i.test(attribute) ||
          (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) < Date.now()),
      );
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(host, cookies);
  }
}
