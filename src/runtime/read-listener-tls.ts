import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import type { TlsSettings } from "../settings/types.js";

/**
 * TLS_CERT / TLS_KEY → the PEMs for node:https. Tekton's EventListener takes them from a Secret and
 * hands its sink file paths; a value that is a PEM itself (`valueFrom.secretKeyRef` straight into
 * the env var, as Tekton's example writes it) is taken as is.
 */
export async function readListenerTls(
  tls: TlsSettings,
): Promise<{ cert: string; key: string } | undefined> {
  if (tls.kind === "none") return undefined;
  const pem = async (name: string, value: string): Promise<string> => {
    if (value.includes("-----BEGIN ")) return value;
    try {
      return await readFile(value, "utf8");
    } catch (err) {
      throw new Error(`${name} file ${value} cannot be read: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const pair = { cert: await pem("TLS_CERT", tls.cert), key: await pem("TLS_KEY", tls.key) };
  try {
    createSecureContext(pair); // A bad PEM or a key that does not match fails here, before listening.
  } catch (err) {
    throw new Error(`TLS_CERT/TLS_KEY cannot be used: ${(err as Error).message}`, { cause: err });
  }
  return pair;
}
