import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throw-away CA and a server certificate it signed, for 127.0.0.1 and localhost. */
export interface TestTls {
  /** The CA certificate, PEM: what a ClusterInterceptor's caBundle holds (base64 of it). */
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/**
 * Makes a fresh CA and a server certificate with the `openssl` command (node:crypto cannot issue
 * X.509 certificates). EC P-256 keys and a one-day validity keep it fast; nothing is kept.
 */
export function createTestTls(commonName = "hookline test CA"): TestTls {
  const dir = mkdtempSync(join(tmpdir(), "hookline-tls-"));
  const p = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync("openssl", args, { stdio: "pipe" });
  };
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    // prettier-ignore
    openssl([
      "req", "-x509", ...ec, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "1",
      "-subj", `/CN=${commonName}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    // prettier-ignore
    openssl(["req", ...ec, "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"]);
    writeFileSync(
      p("ext.cnf"),
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    // prettier-ignore
    openssl([
      "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
      "-CAcreateserial", "-out", p("server.pem"), "-days", "1", "-extfile", p("ext.cnf"),
    ]);
    return {
      caPem: readFileSync(p("ca.pem"), "utf8"),
      serverCertPem: readFileSync(p("server.pem"), "utf8"),
      serverKeyPem: readFileSync(p("server.key"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
