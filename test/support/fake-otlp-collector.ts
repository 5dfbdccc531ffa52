import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One span as the fake received it, attributes flattened to plain values. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind number: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  events: { name: string; attributes: Record<string, unknown> }[];
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  serviceName: string | undefined;
}

export interface FakeOtlpCollector {
  /** `http://127.0.0.1:<port>`: the value of OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** Every span received so far, in arrival order. */
  spans: CollectedSpan[];
  /** Every request body received, as text (for searching what the exporter sent at all). */
  bodies: string[];
  /** The headers of every export request (lower-case names). */
  headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

/**
 * A fake OpenTelemetry collector on loopback: it takes OTLP/HTTP JSON exports at `/v1/traces`
 * (what `@opentelemetry/exporter-trace-otlp-http` sends: hex ids, string timestamps, attributes
 * as `{ key, value: { stringValue | intValue | … } }`) and keeps the spans; it answers 200 with an
 * empty ExportTraceServiceResponse, as a collector that accepted everything does. Protobuf is
 * answered 415, which the exporter does not send.
 */
export async function createFakeOtlpCollector(): Promise<FakeOtlpCollector> {
  const spans: CollectedSpan[] = [];
  const bodies: string[] = [];
  const headers: FakeOtlpCollector["headers"] = [];
  const server: Server = createServer((req, res) => {
    void readAll(req).then((body) => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
        res.writeHead(415).end();
        return;
      }
      const text = body.toString("utf8");
      bodies.push(text);
      headers.push({ ...req.headers });
      spans.push(...parseExport(JSON.parse(text) as unknown));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

type Json = Record<string, unknown>;

function parseExport(body: unknown): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const rs of list((body as Json)["resourceSpans"])) {
    const resource = attributes(
      list(((rs as Json)["resource"] as Json | undefined)?.["attributes"]),
    );
    const serviceName = resource["service.name"];
    for (const ss of list((rs as Json)["scopeSpans"])) {
      for (const raw of list((ss as Json)["spans"])) {
        const s = raw as Json;
        out.push({
          traceId: String(s["traceId"]),
          spanId: String(s["spanId"]),
          parentSpanId: typeof s["parentSpanId"] === "string" ? s["parentSpanId"] : "",
          name: String(s["name"]),
          kind: Number(s["kind"] ?? 0),
          attributes: attributes(list(s["attributes"])),
          links: list(s["links"]).map((l) => ({
            traceId: String((l as Json)["traceId"]),
            spanId: String((l as Json)["spanId"]),
          })),
          events: list(s["events"]).map((e) => ({
            name: String((e as Json)["name"]),
            attributes: attributes(list((e as Json)["attributes"])),
          })),
          statusCode: Number(
            ((s["status"] as Json | undefined)?.["code"] as number | undefined) ?? 0,
          ),
          serviceName: typeof serviceName === "string" ? serviceName : undefined,
        });
      }
    }
  }
  return out;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function attributes(kvs: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) {
    const { key, value } = kv as { key: string; value: Json };
    out[key] = anyValue(value);
  }
  return out;
}

function anyValue(v: Json | undefined): unknown {
  if (v === undefined) return undefined;
  if ("stringValue" in v) return v["stringValue"];
  if ("intValue" in v) return Number(v["intValue"]);
  if ("doubleValue" in v) return v["doubleValue"];
  if ("boolValue" in v) return v["boolValue"];
  if ("arrayValue" in v)
    return list((v["arrayValue"] as Json)["values"]).map((x) => anyValue(x as Json));
  return v;
}
