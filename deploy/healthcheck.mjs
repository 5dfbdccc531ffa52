// The image's HEALTHCHECK: GET /live on the listener port (HTTPS when TLS_CERT is set, as the
// listener then speaks only TLS). The slim image has no curl; node is there.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const tls = (process.env.TLS_CERT ?? "") !== "";
const request = tls ? httpsRequest : httpRequest;
const req = request(
  {
    host: "127.0.0.1",
    port: Number(process.env.PORT ?? "8080"),
    path: "/live",
    timeout: 2000,
    // The certificate names the public host, not 127.0.0.1; this only asks "is it up".
    rejectUnauthorized: false,
  },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", () => process.exit(1));
req.end();
