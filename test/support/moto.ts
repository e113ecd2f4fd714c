import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * The moto server (`python3 -m moto.server`), a real AWS API emulator over
 * HTTP, on a free loopback port. Integration tests talk to it through the real
 * AWS SDK clients; nothing in the SDK is mocked.
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** Forget every resource (`POST /moto-api/reset`, about 10 ms). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The credentials moto accepts for its default account 123456789012. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/**
 * `managedPolicies` loads AWS managed policies (AmazonBedrockFullAccess…),
 * which IAM tests need; it makes each reset about 0.5 s slower, so tests of
 * other services leave it off.
 */
export async function startMoto(options: { managedPolicies?: boolean } = {}): Promise<MotoServer> {
  let lastError: unknown;
  // A port found free can be taken before moto binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: String(options.managedPolicies ?? true) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilUp(endpoint, child, () => stderr);
      return {
        endpoint,
        port,
        reset: async () => {
          const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
        },
        stop: () => stop(child),
      };
    } catch (error) {
      lastError = error;
      await stop(child);
    }
  }
  throw new Error(
    `could not start the moto server (python3 -m moto.server): ${(lastError as Error).message}. ` +
      'Install it with `pip install "moto[server]"` (CI does this when it is missing).',
  );
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`not answering after 20 s: ${stderr()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * moto serves each request on its own thread and does not isolate them: a
 * DynamoDB transaction deep-copies the table first and, when cancelled,
 * restores that copy, undoing whatever another thread committed meanwhile:
 * markers and sums alike, so requests are lost or counted again (10 consumers
 * replaying a batch of 60 counted 59, 80 or 120 of them, in runs without
 * this); and a copy taken while another thread writes can fail with an HTTP
 * 500. DynamoDB runs each request atomically and cancels concurrent
 * transactions on the same items with `TransactionConflict` (the usage-counter
 * tests make it through a fault proxy). So the clients this returns a hook for
 * send their requests to moto one at a time, in whatever order their callers
 * race to send them: operations of several requests each still interleave
 * freely. Each call makes a new queue; pass its hook every client that must
 * share it (as `AwsClients`' `instrument` option, for example).
 */
export function oneAtATime(): (client: object) => void {
  let queue: Promise<unknown> = Promise.resolve();
  const middleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
    const turn = queue.then(() => next(args));
    queue = turn.catch(() => undefined);
    return turn;
  };
  return (client) =>
    (client as { middlewareStack: { add(m: unknown, o: unknown): void } }).middlewareStack.add(middleware, {
      step: 'deserialize',
      name: 'motoOneAtATime',
    });
}

/** A table keyed by `id` (S), on demand: the idempotency and usage tables' shape (serverless.yml). */
export async function createIdTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
