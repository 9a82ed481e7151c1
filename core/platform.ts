// Which prebuilt binary fits this machine: prebuilds/<platform>-<arch>/, built for linux-x64 and
// linux-arm64 with glibc 2.34 or later, and for win32-x64. Elsewhere (macOS, musl libc as on
// Alpine, an older glibc) the addon is built from source, and the loader says so.

/** The platforms a prebuild is shipped for. */
export const PREBUILT_PLATFORMS = ['linux-x64', 'linux-arm64', 'win32-x64'] as const;

/** The oldest glibc the Linux prebuilds run on (the newest symbol version they need). */
export const GLIBC_FLOOR = '2.34';

export interface HostPlatform {
  /** e.g. "linux-arm64": the prebuilds/ folder this machine would use. */
  name: string;
  /** Linux: "glibc" or "musl"; null elsewhere. */
  libc: 'glibc' | 'musl' | null;
  /** The running glibc's version, e.g. "2.36"; null where there is none. */
  glibcVersion: string | null;
}

interface ReportHeader {
  glibcVersionRuntime?: string;
}

/** This process's platform and C library (Node's diagnostic report names glibc where it runs on it). */
export function hostPlatform(): HostPlatform {
  const name = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return { name, libc: null, glibcVersion: null };
  const report = process.report?.getReport() as { header?: ReportHeader } | undefined;
  const glibcVersion = report?.header?.glibcVersionRuntime ?? null;
  return { name, libc: glibcVersion ? 'glibc' : 'musl', glibcVersion };
}

/**
 * Why no prebuild can run here (undefined when one should), with what to do instead: build from
 * source, which needs a C++17 compiler and CMake.
 */
export function prebuildUnavailableReason(host: HostPlatform = hostPlatform()): string | undefined {
  if (!(PREBUILT_PLATFORMS as readonly string[]).includes(host.name)) {
    return `no prebuilt binary for ${host.name} (prebuilt: ${PREBUILT_PLATFORMS.join(', ')}): it is built from source`;
  }
  if (host.libc === 'musl') {
    return (
      'this system uses musl libc (Alpine?); the Linux prebuilds need glibc. Build from source: ' +
      '`apk add build-base cmake` then `npm rebuild gitcap`'
    );
  }
  if (host.glibcVersion && olderThan(host.glibcVersion, GLIBC_FLOOR)) {
    return `glibc ${host.glibcVersion} is older than the ${GLIBC_FLOOR} the Linux prebuilds need: build from source (\`npm rebuild gitcap\`)`;
  }
  return undefined;
}

function olderThan(version: string, floor: string): boolean {
  const parts = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const a = parts(version);
  const b = parts(floor);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}
