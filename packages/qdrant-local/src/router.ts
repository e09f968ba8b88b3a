/** Path parameters a route can name; those a route lacks are "". */
export interface RouteParams {
  name: string;
  field: string;
  id: string;
}

export interface RouteContext {
  params: RouteParams;
  query: URLSearchParams;
  body: unknown;
  /** The `wait` query parameter; undefined when absent. */
  wait: boolean | undefined;
}

export type RouteHandler = (ctx: RouteContext) => unknown;

export type Route = readonly [method: string, pattern: string, handler: RouteHandler];

interface CompiledRoute {
  method: string;
  parts: string[];
  handler: RouteHandler;
}

/** Matches `/collections/{name}/...` style patterns, segment by segment. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: readonly Route[]): void {
    for (const [method, pattern, handler] of routes)
      this.routes.push({ method, parts: pattern.split("/").slice(1), handler });
  }

  /** The handler and params for a request, `undefined` when no path matches, or "method" when only the method is wrong. */
  match(method: string, path: string): { handler: RouteHandler; params: RouteParams } | "method" | undefined {
    const segments = path.split("/").slice(1);
    if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.parts.length !== segments.length) continue;
      const params: RouteParams = { name: "", field: "", id: "" };
      let ok = true;
      for (let i = 0; i < route.parts.length; i++) {
        const part = route.parts[i] as string;
        const segment = segments[i] as string;
        if (part.startsWith("{")) {
          let value: string;
          try {
            value = decodeURIComponent(segment);
          } catch {
            ok = false;
            break;
          }
          params[part.slice(1, -1) as keyof RouteParams] = value;
        } else if (part !== segment) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { handler: route.handler, params };
    }
    return pathMatched ? "method" : undefined;
  }
}
