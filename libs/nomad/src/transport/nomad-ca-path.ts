import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A NOMAD_CAPATH that cannot be used; the message names the file or folder (never a certificate's text). */
export class NomadCaPathError extends Error {
  readonly name = 'NomadCaPathError';
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Every file under `dir`, sub-folders too, in name order. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

/**
 * NOMAD_CAPATH read as Nomad's own client reads it (go-rootcerts): a PEM file, or a folder whose every file
 * (sub-folders too) holds PEM certificates, all trusted. A file that holds none stops it, as it stops Nomad.
 */
export function readCaPath(path: string): Buffer[] {
  let files: string[];
  try {
    files = statSync(path).isDirectory() ? filesUnder(path) : [path];
  } catch (err) {
    throw new NomadCaPathError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (!files.length) throw new NomadCaPathError(`${path} holds no file; put the PEM certificate(s) of the CA that signed Nomad's certificate there`);
  return files.map((file) => {
    let pem: Buffer;
    try {
      pem = readFileSync(file);
    } catch (err) {
      throw new NomadCaPathError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
    if (!PEM_CERTIFICATE.test(pem.toString('latin1'))) throw new NomadCaPathError(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return pem;
  });
}
