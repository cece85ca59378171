import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
 * that editors which save by writing a new file and renaming it over the old one are followed.
 */
export function watchConfig(path: string, options: WatchConfigOptions): ConfigWatch {
  const configPath = resolve(path);
  const env = options.env ?? process.env;
  const debounceMs = options.debounceMs ?? 100;
  const watchers = new Map<string, FSWatcher>();
  let watched = new Set<string>([configPath]);
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
    if (watchers.has(directory) || closed) return;
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
      watched = new Set([configPath, ...inspection.files]);
      for (const file of watched) watchDirectory(dirname(file));
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

  watchDirectory(dirname(configPath));
  const ready = reload(false);

  return {
    ready,
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
