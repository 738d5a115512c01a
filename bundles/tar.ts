import { gunzipSync, gzipSync } from "node:zlib";

/**
 * A minimal POSIX ustar writer and reader for bundles: regular files only, paths up to 255 bytes,
 * fixed mtime and owner so the same content always yields the same bytes. Enough for Aisle's own
 * bundles without a dependency; standard `tar -xzf` reads them.
 */

export interface TarEntry {
  path: string;
  data: Buffer;
}

const BLOCK = 512;
// A fixed timestamp (2020-01-01) keeps bundles byte-for-byte reproducible.
const MTIME = 1_577_836_800;

function writeString(buf: Buffer, value: string, offset: number, length: number) {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar: "${value}" is too long for its ${length}-byte field`);
  bytes.copy(buf, offset);
}

const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, "0") + "\0";

function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  const cut = path.lastIndexOf("/", 155);
  if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new Error(`tar: path too long: ${path}`);
  return { name: path.slice(cut + 1), prefix: path.slice(0, cut) };
}

function header(path: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitPath(path);
  writeString(h, name, 0, 100);
  writeString(h, "0000644\0", 100, 8);
  writeString(h, "0000000\0", 108, 8);
  writeString(h, "0000000\0", 116, 8);
  writeString(h, octal(size, 12), 124, 12);
  writeString(h, octal(MTIME, 12), 136, 12);
  h.fill(" ", 148, 156); // checksum is computed with its own field as spaces
  h[156] = "0".charCodeAt(0);
  writeString(h, "ustar\0", 257, 6);
  writeString(h, "00", 263, 2);
  writeString(h, prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, octal(sum, 7) + " ", 148, 8);
  return h;
}

/** Packs entries (in the given order) into a gzip-compressed tarball. */
export function packTarGz(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e.path, e.data.length), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

const readString = (buf: Buffer, offset: number, length: number) => {
  const end = buf.indexOf(0, offset);
  return buf.toString("utf8", offset, end === -1 || end > offset + length ? offset + length : end);
};

/** Unpacks a gzip-compressed tarball; rejects anything but regular files and unsafe paths. */
export function unpackTarGz(data: Buffer, opts: { maxBytes?: number } = {}): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(data, { maxOutputLength: opts.maxBytes ?? 512 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`not a gzip-compressed bundle (${(err as Error).message})`);
  }
  const entries: TarEntry[] = [];
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    const declared = parseInt(readString(h, 148, 8).trim(), 8);
    if (declared !== sum) throw new Error(`corrupt tar header at byte ${at}`);
    const name = readString(h, 0, 100);
    const prefix = readString(h, 345, 155);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = parseInt(readString(h, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(h[156]!);
    if (type !== "0" && type !== "\0") throw new Error(`bundle entry ${path} is not a regular file`);
    if (path.startsWith("/") || path.split("/").some((p) => p === ".." || p === "")) throw new Error(`unsafe path in bundle: ${path}`);
    const start = at + BLOCK;
    if (start + size > tar.length) throw new Error(`truncated bundle: ${path}`);
    entries.push({ path, data: Buffer.from(tar.subarray(start, start + size)) });
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
