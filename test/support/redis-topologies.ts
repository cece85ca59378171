/**
 * Real Redis topologies on loopback for the scale-out tests (issue 19): a Redis Cluster of 3 masters and 3
 * replicas made by `redis-cli --cluster create`, and a Sentinel setup of a master, a replica and 3 sentinels.
 * Every process is a private child on a free port, killed when the test process exits.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server.js';

/** A node address as the store options take it. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** A running Redis Cluster. */
export interface RedisClusterHandle {
  /** Seed nodes (every master and replica). */
  readonly nodes: readonly NodeAddress[];
  /** The server of a node by port. */
  server(port: number): RedisServerHandle;
  /** Ports of the current masters, as CLUSTER NODES reports them. */
  masters(): Promise<number[]>;
  /** The port of the master that serves `key`'s slot. */
  masterOf(key: string): Promise<number>;
  /** Waits until every slot is served and `cluster_state:ok` on every live node. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A running Sentinel setup. */
export interface RedisSentinelHandle {
  readonly name: string;
  readonly sentinels: readonly NodeAddress[];
  /** The current master's port, as the sentinels report it. */
  masterPort(): Promise<number>;
  /** The server of a data node by port. */
  server(port: number): RedisServerHandle;
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** Starts 6 cluster-enabled servers and joins them as 3 masters with one replica each. */
export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-cluster-'));
  const servers = new Map<number, RedisServerHandle>();
  try {
    for (let i = 0; i < 6; i++) {
      const port = await freePort();
      const server = await startRedisServer({
        port,
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          // Fast failure detection keeps the failover tests short; production keeps the 15 s default.
          '--cluster-node-timeout',
          '1000',
          '--cluster-replica-validity-factor',
          '0',
          '--dir',
          dir,
        ],
      });
      servers.set(server.port, server);
    }
    const ports = [...servers.keys()];
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `${LOOPBACK}:${port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
  } catch (error) {
    await Promise.all([...servers.values()].map((server) => server.kill()));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const nodes = [...servers.keys()].map((port) => ({ host: LOOPBACK, port }));

  async function clusterNodes(): Promise<string[]> {
    for (const { port } of nodes) {
      const client = probe(port);
      try {
        const text = (await client.call('CLUSTER', 'NODES')) as string;
        return text.trim().split('\n');
      } catch {
        // That node is down: ask another.
      } finally {
        client.disconnect();
      }
    }
    throw new Error('no cluster node answers');
  }

  const handle: RedisClusterHandle = {
    nodes,
    server(port) {
      const server = servers.get(port);
      if (server === undefined) throw new Error(`no cluster node on port ${port}`);
      return server;
    },
    async masters() {
      return (await clusterNodes())
        .map((line) => line.split(' '))
        .filter((fields) => (fields[2] ?? '').includes('master') && !(fields[2] ?? '').includes('fail'))
        .map((fields) => Number((fields[1] ?? '').split('@')[0]?.split(':')[1]));
    },
    async masterOf(key) {
      let slot: number | undefined;
      for (const { port } of nodes) {
        const client = probe(port);
        try {
          slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
          break;
        } catch {
          // That node is down: ask another.
        } finally {
          client.disconnect();
        }
      }
      if (slot === undefined) throw new Error('no cluster node answers');
      for (const fields of (await clusterNodes()).map((line) => line.split(' '))) {
        const flags = fields[2] ?? '';
        if (!flags.includes('master') || flags.includes('fail')) continue;
        for (const range of fields.slice(8)) {
          const [from, to = from] = range.split('-').map(Number);
          if (from !== undefined && to !== undefined && slot >= from && slot <= to)
            return Number((fields[1] ?? '').split('@')[0]?.split(':')[1]);
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          [...servers.values()].map(async (server) => {
            const client = probe(server.port);
            try {
              return ((await client.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok');
            } catch {
              return undefined; // down: not asked
            } finally {
              client.disconnect();
            }
          }),
        );
        const roles = await clusterNodes().catch(() => []);
        const replicas = roles.filter((line) => /\bslave\b/.test(line.split(' ')[2] ?? '')).length;
        const live = states.filter((state) => state !== undefined).length;
        // Every live node agrees the cluster is ok, and every live node beyond the 3 masters is a replica.
        if (states.some((state) => state === true) && !states.includes(false) && replicas >= live - 3) return;
        if (Date.now() > deadline) throw new Error('the cluster did not become healthy');
        await delay(100);
      }
    },
    async stop() {
      await Promise.all([...servers.values()].map((server) => server.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await handle.waitHealthy();
  await replicasInSync(nodes.map(({ port }) => port));
  return handle;
}

/** Starts a master, a replica and 3 sentinels (quorum 2) watching the master as `name`. */
export async function startRedisSentinel(name = 'fedgate'): Promise<RedisSentinelHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-sentinel-'));
  const servers = new Map<number, RedisServerHandle>();
  const sentinelProcesses: ChildProcess[] = [];
  const sentinels: NodeAddress[] = [];
  const cleanup = async (): Promise<void> => {
    for (const child of sentinelProcesses) child.kill('SIGKILL');
    await Promise.all([...servers.values()].map((server) => server.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const master = await startRedisServer({ args: ['--dir', dir] });
    servers.set(master.port, master);
    const replica = await startRedisServer({
      args: ['--dir', dir, '--replicaof', LOOPBACK, String(master.port)],
    });
    servers.set(replica.port, replica);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          `bind ${LOOPBACK}`,
          `dir ${dir}`,
          `sentinel monitor ${name} ${LOOPBACK} ${master.port} 2`,
          // Fast failure detection keeps the failover tests short; production keeps longer timeouts.
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const child = spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' });
      sentinelProcesses.push(child);
      sentinels.push({ host: LOOPBACK, port });
    }
    process.once('exit', () => sentinelProcesses.forEach((child) => child.kill('SIGKILL')));
    const deadline = Date.now() + 20_000;
    // Ready when every sentinel knows the master, the replica and the two other sentinels.
    for (;;) {
      const ready = await Promise.all(
        sentinels.map(async ({ port }) => {
          const client = probe(port);
          try {
            const info = (await client.call('SENTINEL', 'MASTER', name)) as string[];
            const field = (key: string): string => info[info.indexOf(key) + 1] ?? '';
            return Number(field('num-slaves')) >= 1 && Number(field('num-other-sentinels')) >= 2;
          } catch {
            return false;
          } finally {
            client.disconnect();
          }
        }),
      );
      if (ready.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the sentinels did not discover each other');
      await delay(200);
    }
    await replicasInSync([master.port, replica.port]);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    name,
    sentinels,
    server(port) {
      const server = servers.get(port);
      if (server === undefined) throw new Error(`no data node on port ${port}`);
      return server;
    },
    async masterPort() {
      for (const { port } of sentinels) {
        const client = probe(port);
        try {
          const [, masterPort] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
          return Number(masterPort);
        } catch {
          // ask the next sentinel
        } finally {
          client.disconnect();
        }
      }
      throw new Error('no sentinel answers');
    },
    stop: cleanup,
  };
}

/** A short-lived client that fails at once instead of retrying. */
function probe(port: number): Redis {
  const client = new Redis({
    host: LOOPBACK,
    port,
    lazyConnect: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000,
  });
  client.on('error', () => {});
  return client;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} failed: ${stderr || stdout}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/**
 * Waits until every replica among these data nodes has finished its first sync with its master
 * (`master_link_status:up`): before that a write made durable with WAIT (store.durableReplicas) is acknowledged
 * by no replica, and a revocation would be refused as the store being unavailable.
 */
async function replicasInSync(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const states = await Promise.all(
      ports.map(async (port) => {
        const client = new Redis({ host: LOOPBACK, port, lazyConnect: true, maxRetriesPerRequest: 0 });
        try {
          await client.connect();
          const info = (await client.call('INFO', 'replication')) as string;
          return !/^role:slave/m.test(info) || /^master_link_status:up/m.test(info);
        } catch {
          return false;
        } finally {
          client.disconnect();
        }
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('the replicas did not finish their first sync');
    await delay(100);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
