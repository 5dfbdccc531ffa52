// The BASELINE for bench/run.js: the least any node:http webhook receiver does. It reads the whole
// body, then answers 202 with a small JSON. No signature check, no parsing, no disk.
//   node bench/baseline-server.js --port N [--host 127.0.0.1]
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
  },
});

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/live") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("ok\n");
    return;
  }
  const chunks = [];
  let bytes = 0;
  req.on("data", (chunk) => {
    chunks.push(chunk);
    bytes += chunk.length;
  });
  req.on("end", () => {
    Buffer.concat(chunks, bytes); // the whole body, as a receiver would hold it
    const body = JSON.stringify({ accepted: true, bytes }) + "\n";
    res.writeHead(202, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(body),
    });
    res.end(body);
  });
  req.on("error", () => res.destroy());
});
// Same keep-alive window as hookline, so idle connections are treated alike.
server.keepAliveTimeout = 120_000;

server.listen(Number(values.port), values.host, () => {
  const addr = server.address();
  process.stdout.write(
    `baseline listening on ${values.host}:${typeof addr === "object" && addr ? addr.port : values.port}\n`,
  );
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
