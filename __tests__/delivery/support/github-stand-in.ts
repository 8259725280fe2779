import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GitHubIssues } from "../../../.github/scripts/github-issues";

/*
 * A loopback stand-in of the GitHub REST issues API for one repository (o/r, token test-token):
 * list open issues by label, labels, create, update, comment, close.
 */

interface Issue {
  number: number;
  title: string;
  body: string;
  state: string;
  labels: string[];
  comments: string[];
}

export async function gitHubStandIn() {
  const issues: Issue[] = [];
  const labels = new Set<string>();
  const calls: string[] = [];
  const server = http.createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const body = text ? JSON.parse(text) : undefined;
      calls.push(`${request.method} ${url.pathname}`);
      const send = (status: number, value?: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(value === undefined ? "" : JSON.stringify(value));
      };
      if (request.headers.authorization !== "Bearer test-token") return send(401, { message: "Bad credentials" });
      const base = "/repos/o/r";
      let match: RegExpExecArray | null;
      if (request.method === "GET" && url.pathname === `${base}/issues`) {
        return send(200, issues.filter((i) => i.state === url.searchParams.get("state") && i.labels.includes(url.searchParams.get("labels") ?? "")));
      }
      if (request.method === "GET" && (match = /^\/repos\/o\/r\/labels\/(.+)$/.exec(url.pathname))) return labels.has(match[1]) ? send(200, { name: match[1] }) : send(404, { message: "Not Found" });
      if (request.method === "POST" && url.pathname === `${base}/labels`) {
        labels.add(body.name);
        return send(201, body);
      }
      if (request.method === "POST" && url.pathname === `${base}/issues`) {
        if (!body.labels.every((label: string) => labels.has(label))) return send(422, { message: "label missing" });
        const issue = { number: issues.length + 1, title: body.title, body: body.body, state: "open", labels: body.labels, comments: [] };
        issues.push(issue);
        return send(201, issue);
      }
      if ((match = /^\/repos\/o\/r\/issues\/(\d+)(\/comments)?$/.exec(url.pathname))) {
        const issue = issues.find((i) => i.number === Number(match![1]))!;
        if (match[2]) issue.comments.push(body.body);
        else Object.assign(issue, body);
        return send(200, issue);
      }
      return send(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issues, calls, github: new GitHubIssues(url, "o/r", "test-token"), stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

