import { createHash, randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/*
 * A loopback stand-in of the Atlas Administration API v2, for the paths the drill calls. Shapes
 * follow MongoDB's published OpenAPI description (mongodb/openapi, openapi/v2.json): lists are
 * `{ links, results, totalCount }`, errors are ApiError `{ detail, error, errorCode, parameters,
 * reason }`, clusters are ClusterDescription20240805 (stateName, replicationSpecs[].regionConfigs[]
 * .electableSpecs.diskSizeGB, tags[{key,value}], connectionStrings.privateEndpoint[]), snapshots
 * DiskBackupReplicaSet, restore jobs DiskBackupSnapshotRestoreJob (failed/cancelled/expired/finishedAt).
 *
 * It demands HTTP digest authentication (MD5, qop=auth, as Atlas does) and the versioned media
 * type, walks clusters through CREATING -> IDLE and DELETING -> gone over a few reads, records
 * every call, and fails any step on request.
 */

export const PUBLIC_KEY = "drillpublic";
export const PRIVATE_KEY = "drill-private-0000-1111";
const REALM = "MMS Public API";
const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export interface Call {
  readonly method: string;
  readonly path: string;
  readonly accept: string | undefined;
  readonly body?: any;
}

export interface StandInCluster {
  name: string;
  stateName: string;
  clusterType?: string;
  mongoDBMajorVersion?: string;
  backupEnabled?: boolean;
  pitEnabled?: boolean;
  terminationProtectionEnabled?: boolean;
  encryptionAtRestProvider?: string;
  tags?: { key: string; value: string }[];
  replicationSpecs?: any[];
  connectionStrings?: any;
  /** Reads left before the state moves on (CREATING -> IDLE, DELETING -> gone). */
  readsLeft?: number;
}

/** A failure to inject: the first `times` matching calls answer `status` (default: always). */
export interface Failure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly errorCode: string;
  times?: number;
}

export interface StandInOptions {
  readonly projectName?: string;
  readonly projectId?: string;
  /** The environment's own cluster. */
  readonly source?: Partial<StandInCluster> & { name: string };
  readonly snapshots?: { id: string; createdAt: string; status: string; snapshotType?: string }[];
  readonly restoreWindowDays?: number;
  /** Reads of a new cluster before it is IDLE. @default 2 */
  readonly readsToIdle?: number;
  /** Reads of a deleted cluster before it is gone. @default 2 */
  readsToGone?: number;
  /** Reads of a restore job before it finishes. @default 2 */
  readonly readsToRestore?: number;
}

export class AtlasStandIn {
  readonly calls: Call[] = [];
  readonly failures: Failure[] = [];
  readonly clusters = new Map<string, StandInCluster>();
  readonly users = new Map<string, any>();
  readonly restoreJobs = new Map<string, any>();
  /** Called after each recorded call (a test's hook, e.g. to kill a process at a given step). */
  onCall: (call: Call) => void = () => undefined;
  /** Restore jobs end failed instead of finished. */
  failRestoreJob = false;
  /** Deleted clusters never go away. */
  stuckDeleting = false;
  /** Created clusters never become IDLE. */
  neverIdle = false;
  readonly projectName: string;
  readonly projectId: string;
  private readonly server: http.Server;
  private readonly nonces = new Set<string>();
  private snapshots: { id: string; createdAt: string; status: string; snapshotType?: string }[];
  private readonly options: StandInOptions;
  url = "";

  constructor(options: StandInOptions = {}) {
    this.options = options;
    this.projectName = options.projectName ?? "audio-pipeline-dev";
    this.projectId = options.projectId ?? "6571e3a5f1c2d3e4a5b6c7d8";
    const source = options.source ?? { name: "audio-pipeline-dev" };
    this.clusters.set(source.name, {
      stateName: "IDLE",
      clusterType: "REPLICASET",
      mongoDBMajorVersion: "7.0",
      backupEnabled: true,
      pitEnabled: true,
      terminationProtectionEnabled: true,
      encryptionAtRestProvider: "AWS",
      tags: [{ key: "Environment", value: "dev" }],
      connectionStrings: { privateEndpoint: [{ srvConnectionString: `mongodb+srv://${source.name}-pl-0.abcde.mongodb.net`, type: "DEDICATED" }] },
      replicationSpecs: [{ zoneId: "6571e3a5f1c2d3e4a5b6c7aa", regionConfigs: [{ providerName: "AWS", regionName: "US_EAST_1", priority: 7, electableSpecs: { instanceSize: "M10", nodeCount: 3, diskSizeGB: 10 } }] }],
      ...source,
    });
    this.snapshots = options.snapshots ?? [
      { id: "6571e3a5f1c2d3e4a5b60001", createdAt: "2026-12-07T21:00:00Z", status: "completed" },
      { id: "6571e3a5f1c2d3e4a5b60002", createdAt: "2026-12-08T03:00:00Z", status: "completed" },
      { id: "6571e3a5f1c2d3e4a5b60003", createdAt: "2026-12-08T09:00:00Z", status: "inProgress" },
      { id: "6571e3a5f1c2d3e4a5b60004", createdAt: "2026-12-08T04:00:00Z", status: "completed", snapshotType: "fallback" },
    ];
    this.server = http.createServer((request, response) => this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  fail(failure: Failure): void {
    this.failures.push(failure);
  }

  /** Calls that change something (anything but GET). */
  writes(): Call[] {
    return this.calls.filter((call) => call.method !== "GET");
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const method = request.method ?? "GET";
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { "Content-Type": "application/json", ...headers });
        response.end(body === undefined ? "" : JSON.stringify(body));
      };
      const error = (status: number, errorCode: string, detail: string) =>
        send(status, { detail, error: status, errorCode, parameters: [], reason: http.STATUS_CODES[status] });

      if (!this.authorized(method, request.url ?? "/", request.headers.authorization)) {
        const nonce = randomBytes(16).toString("hex");
        this.nonces.add(nonce);
        return send(401, { detail: "You are not authorized for this resource.", error: 401, errorCode: "NOT_ATLAS_USER", parameters: [], reason: "Unauthorized" }, {
          "WWW-Authenticate": `Digest realm="${REALM}", domain="", nonce="${nonce}", algorithm=MD5, qop="auth", stale=false`,
        });
      }
      const accept = request.headers.accept;
      if (!/^application\/vnd\.atlas\.\d{4}-\d{2}-\d{2}\+json$/.test(accept ?? "")) {
        return error(406, "INVALID_VERSION_OR_ACCEPT_HEADER", `Accept header ${accept} is not a versioned Atlas media type`);
      }
      const text = Buffer.concat(chunks).toString("utf8");
      const call: Call = { method, path: url.pathname, accept, ...(text ? { body: JSON.parse(text) } : {}) };
      this.calls.push(call);
      this.onCall(call);
      const failure = this.failures.find((candidate) => candidate.method === method && candidate.path.test(url.pathname) && (candidate.times ?? 1) > 0);
      if (failure) {
        if (failure.times !== undefined) failure.times -= 1;
        return error(failure.status, failure.errorCode, `injected failure of ${method} ${url.pathname}`);
      }
      this.route(method, url.pathname, call.body, send, error);
    });
  }

  private authorized(method: string, uri: string, header: string | undefined): boolean {
    if (!header?.startsWith("Digest ")) return false;
    const field = (name: string) => new RegExp(`${name}="?([^",]*)"?`).exec(header)?.[1];
    const nonce = field("nonce");
    if (!nonce || !this.nonces.has(nonce) || field("username") !== PUBLIC_KEY || field("uri") !== uri || field("realm") !== REALM) return false;
    const ha1 = md5(`${PUBLIC_KEY}:${REALM}:${PRIVATE_KEY}`);
    const ha2 = md5(`${method}:${uri}`);
    return field("response") === md5(`${ha1}:${nonce}:${field("nc")}:${field("cnonce")}:${field("qop")}:${ha2}`);
  }

  private route(method: string, path: string, body: any, send: (status: number, body?: unknown) => void, error: (status: number, code: string, detail: string) => void) {
    const base = "/api/atlas/v2";
    const group = `${base}/groups/${this.projectId}`;
    let match: RegExpExecArray | null;
    const list = (results: unknown[]) => send(200, { links: [], results, totalCount: results.length });

    if (method === "GET" && (match = new RegExp(`^${base}/groups/byName/([^/]+)$`).exec(path))) {
      if (decodeURIComponent(match[1]) !== this.projectName) return error(404, "GROUP_NAME_NOT_FOUND", `No group with name ${match[1]} exists.`);
      return send(200, { id: this.projectId, name: this.projectName, orgId: "6571e3a5f1c2d3e4a5b6c000", clusterCount: this.clusters.size, created: "2026-01-01T00:00:00Z", links: [] });
    }
    if (!path.startsWith(`${group}/`) && path !== group) return error(404, "GROUP_NOT_FOUND", `No group with ID ${path.split("/")[5]} exists.`);

    if (method === "GET" && path === `${group}/clusters`) return list([...this.clusters.values()].map((c) => this.read(c)).filter(Boolean));
    if (method === "POST" && path === `${group}/clusters`) {
      if (this.clusters.has(body.name)) return error(400, "DUPLICATE_CLUSTER_NAME", `A cluster named ${body.name} is already present in group ${this.projectId}.`);
      const cluster: StandInCluster = {
        ...body,
        stateName: "CREATING",
        readsLeft: this.options.readsToIdle ?? 2,
        connectionStrings: { privateEndpoint: [{ srvConnectionString: `mongodb+srv://${body.name}-pl-0.abcde.mongodb.net`, type: "DEDICATED" }] },
      };
      this.clusters.set(body.name, cluster);
      return send(201, this.view(cluster));
    }
    if ((match = new RegExp(`^${group}/clusters/([^/]+)$`).exec(path))) {
      const name = decodeURIComponent(match[1]);
      const cluster = this.clusters.get(name);
      if (!cluster) return error(404, "CLUSTER_NOT_FOUND", `No cluster named ${name} exists in group ${this.projectId}.`);
      if (method === "GET") {
        const view = this.read(cluster);
        return view ? send(200, view) : error(404, "CLUSTER_NOT_FOUND", `No cluster named ${name} exists in group ${this.projectId}.`);
      }
      if (method === "DELETE") {
        if (cluster.terminationProtectionEnabled) return error(400, "CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED", "termination protection is on");
        cluster.stateName = "DELETING";
        cluster.readsLeft = this.options.readsToGone ?? 2;
        return send(202);
      }
    }
    if ((match = new RegExp(`^${group}/clusters/([^/]+)/backup/snapshots$`).exec(path)) && method === "GET") {
      return list(this.snapshots.map((s) => ({ snapshotType: "scheduled", ...s, type: "replicaSet", frequencyType: "hourly", mongodVersion: "7.0.14", replicaSetName: match![1], storageSizeBytes: 1048576, links: [] })));
    }
    if ((match = new RegExp(`^${group}/clusters/([^/]+)/backup/schedule$`).exec(path)) && method === "GET") {
      return send(200, { clusterName: match[1], restoreWindowDays: this.options.restoreWindowDays ?? 7, referenceHourOfDay: 3, policies: [] });
    }
    if ((match = new RegExp(`^${group}/clusters/([^/]+)/backup/restoreJobs$`).exec(path)) && method === "POST") {
      if (!this.clusters.get(body.targetClusterName)) return error(404, "CLUSTER_NOT_FOUND", `No cluster named ${body.targetClusterName}.`);
      const id = `6571e3a5f1c2d3e4a5b7${String(this.restoreJobs.size).padStart(4, "0")}`;
      const job = { ...body, id, cancelled: false, expired: false, failed: false, readsLeft: this.options.readsToRestore ?? 2, links: [] };
      this.restoreJobs.set(id, job);
      const { readsLeft: _readsLeft, ...view } = job;
      return send(200, view);
    }
    if ((match = new RegExp(`^${group}/clusters/([^/]+)/backup/restoreJobs/([^/]+)$`).exec(path)) && method === "GET") {
      const job = this.restoreJobs.get(match[2]);
      if (!job) return error(404, "RESTORE_JOB_NOT_FOUND", "no such job");
      if (job.readsLeft > 0) job.readsLeft -= 1;
      else if (this.failRestoreJob) job.failed = true;
      else job.finishedAt ??= new Date().toISOString();
      const { readsLeft: _readsLeft, ...view } = job;
      return send(200, view);
    }
    if (method === "POST" && path === `${group}/databaseUsers`) {
      this.users.set(`${body.databaseName}/${body.username}`, body);
      const { password: _password, ...view } = body;
      return send(201, { ...view, groupId: this.projectId });
    }
    if ((match = new RegExp(`^${group}/databaseUsers/([^/]+)/([^/]+)$`).exec(path)) && method === "DELETE") {
      const key = `${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`;
      if (!this.users.delete(key)) return error(404, "USER_NOT_FOUND", `No user ${key}.`);
      return send(204);
    }
    return error(404, "RESOURCE_NOT_FOUND", `No resource ${method} ${path} in the stand-in.`);
  }

  /** A read moves a cluster on (CREATING -> IDLE, DELETING -> gone); undefined when gone. */
  private read(cluster: StandInCluster) {
    if (cluster.stateName === "CREATING" && !this.neverIdle) {
      if (cluster.readsLeft! > 0) cluster.readsLeft! -= 1;
      else cluster.stateName = "IDLE";
    } else if (cluster.stateName === "DELETING" && !this.stuckDeleting) {
      if (cluster.readsLeft! > 0) cluster.readsLeft! -= 1;
      else {
        this.clusters.delete(cluster.name);
        return undefined;
      }
    }
    return this.view(cluster);
  }

  private view(cluster: StandInCluster) {
    const { readsLeft: _readsLeft, ...view } = cluster;
    return { ...view, groupId: this.projectId, id: createHash("md5").update(cluster.name).digest("hex").slice(0, 24), links: [] };
  }
}
