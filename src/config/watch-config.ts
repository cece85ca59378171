import { watch, type FSWatcher } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ConfigError } from './config-error.js';
import { inspectConfig } from './inspect-config.js';
import { policyErrors } from './load-config.js';
import type { GatewayConfig } from './schema.js';

/** Options of watchConfig. */
export interface WatchConfigOptions {
  /** Variables for `${VAR}` substitution; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Quiet time after the last file event before reloading; editors write in several steps. */
  readonly debounceMs?: number;
  /**
   * How often the files are also checked without an event (their resolved path, size and modification time),
   * for file systems whose events are missed or never sent; 0 turns polling off. Default 1 s.
   */
  readonly pollIntervalMs?: number;
  /** Listen for file system events (default true); false leaves the poll alone, as on a file system without them. */
  readonly fileEvents?: boolean;
  /** Called with the new config after a valid change (not when the resolved config is unchanged). */
  readonly onChange: (config: GatewayConfig) => void;
  /** Called after an invalid change; the last good config stays in force. */
  readonly onError: (error: ConfigError) => void;
}

/** A running watch. */
export interface ConfigWatch {
  /** Resolves once the watch knows the current file (the baseline later changes are compared with). */
  readonly ready: Promise<void>;
  /** Stops watching; pending reloads are dropped. */
  close(): void;
}

/**
 * Watches a configuration file and the files it references. Directories are watched rather than files so
 * that editors which save by writing a new file and renaming it over the old one are followed, and every
 * symbolic link on the way to a file counts as the file: a Kubernetes ConfigMap volume swaps its `..data`
 * link atomically and never touches the name the configuration is read by. A poll of each file's resolved
 * path, size and modification time backs the events up.
 */
export function watchConfig(path: string, options: WatchConfigOptions): ConfigWatch {
  const configPath = resolve(path);
  const env = options.env ?? process.env;
  const debounceMs = options.debounceMs ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const watchers = new Map<string, FSWatcher>();
  let files = [configPath];
  /** The files and every symbolic link on the way to them: an event on any of these names means a reload. */
  let watched = new Set<string>([configPath]);
  let fingerprint: string | undefined;
  let poller: NodeJS.Timeout | undefined;
  let lastGood: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let rerun = false;
  let closed = false;

  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void reload(true);
    }, debounceMs);
  };

  const watchDirectory = (directory: string): void => {
    if (watchers.has(directory) || closed || options.fileEvents === false) return;
    try {
      const watcher = watch(directory, { persistent: false }, (_event, filename) => {
        if (filename === null || watched.has(join(directory, filename.toString()))) schedule();
      });
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(directory);
      });
      watchers.set(directory, watcher);
    } catch {
      // A referenced directory that does not exist yet cannot be watched; the schema reports the file.
    }
  };

  const reload = async (notify: boolean): Promise<void> => {
    if (running) {
      rerun = true;
      return;
    }
    running = true;
    try {
      let inspection: Awaited<ReturnType<typeof inspectConfig>>;
      try {
        inspection = await inspectConfig(configPath, env);
      } catch (error) {
        // A bug while checking must not stop the watch nor replace the last good config.
        if (notify && !closed) {
          const message = `configuration could not be checked: ${error instanceof Error ? error.message : String(error)}`;
          options.onError(new ConfigError([{ path: '', message }], basename(configPath)));
        }
        return;
      }
      if (closed) return;
      files = [configPath, ...inspection.files];
      const links = await Promise.all(files.map((file) => symlinksOnTheWay(file)));
      if (closed) return;
      watched = new Set([...files, ...links.flat()]);
      for (const file of watched) watchDirectory(dirname(file));
      fingerprint = await fingerprintOf(files);
      const errors = [...inspection.issues, ...policyErrors(inspection.findings)];
      if (inspection.config === undefined || errors.length > 0) {
        if (notify) options.onError(new ConfigError(errors, basename(configPath)));
        return;
      }
      const serialized = JSON.stringify(inspection.config);
      if (serialized === lastGood) return;
      lastGood = serialized;
      if (notify) options.onChange(inspection.config);
    } finally {
      running = false;
      if (rerun && !closed) {
        rerun = false;
        schedule();
      }
    }
  };

  const poll = async (): Promise<void> => {
    if (closed || running || timer !== undefined || fingerprint === undefined) return;
    if ((await fingerprintOf(files)) !== fingerprint) schedule();
  };

  watchDirectory(dirname(configPath));
  const ready = reload(false).then(() => {
    if (pollIntervalMs > 0 && !closed) {
      poller = setInterval(() => void poll(), pollIntervalMs);
      poller.unref();
    }
  });

  return {
    ready,
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      if (poller !== undefined) clearInterval(poller);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** At most this many symbolic links are followed for one path (as the kernel's ELOOP limit). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The absolute paths of every symbolic link met while resolving `path`, component by component: for a
 * ConfigMap volume, `/etc/fedgate/gateway.yaml` (→ `..data/gateway.yaml`) and `/etc/fedgate/..data`
 * (→ `..2026_11_30_…`). Empty when nothing on the way is a link or the path cannot be resolved.
 */
async function symlinksOnTheWay(path: string): Promise<string[]> {
  const links: string[] = [];
  let pending = path.split(sep).filter((part) => part !== '');
  let current: string = sep;
  let hops = 0;
  while (pending.length > 0) {
    const [head, ...rest] = pending;
    const next = join(current, head as string);
    let isLink: boolean;
    try {
      isLink = (await lstat(next)).isSymbolicLink();
    } catch {
      return links;
    }
    if (!isLink) {
      current = next;
      pending = rest;
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) return links;
    links.push(next);
    let target: string;
    try {
      target = await readlink(next);
    } catch {
      return links;
    }
    const absolute = isAbsolute(target) ? target : join(current, target);
    pending = [...absolute.split(sep).filter((part) => part !== ''), ...rest];
    current = sep;
  }
  return links;
}

/** What the poll compares: each file's resolved identity, size and modification time. */
async function fingerprintOf(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (file) => {
      try {
        const info = await stat(file);
        return `${file}:${info.ino}:${info.size}:${info.mtimeMs}`;
      } catch {
        return `${file}:missing`;
      }
    }),
  );
  return parts.join('\n');
}
