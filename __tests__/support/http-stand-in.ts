import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One request the stand-in received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** What a route answers: a status and a JSON body, or a function of the request for more. */
export type Answer = { readonly status?: number; readonly body?: unknown; readonly headers?: Record<string, string> };
export type Route = Answer | ((request: RecordedRequest) => Answer);

export interface StandIn {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server answering `routes` ("GET /path" -> answer); anything else is a 404 with
 * GitHub's and Atlas's error shape. Records every request so a test can check that only reads
 * were made.
 */
export async function startStandIn(routes: Readonly<Record<string, Route>>): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((request, response) => {
    const recorded = { method: request.method ?? "", path: request.url ?? "", headers: request.headers };
    requests.push(recorded);
    request.resume();
    request.on("end", () => {
      const route = routes[`${recorded.method} ${recorded.path.split("?")[0]}`];
      const answer: Answer = route === undefined ? { status: 404, body: { message: "Not Found", detail: `no route for ${recorded.method} ${recorded.path}` } } : typeof route === "function" ? route(recorded) : route;
      response.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
      response.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
