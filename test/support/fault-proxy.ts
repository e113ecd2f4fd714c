import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A loopback HTTP proxy in front of moto that makes AWS misbehave on purpose: it answers a share of
 * requests with throttling errors or 500s, or forwards them and then "loses" the answer (the change
 * happens, the client sees a 500). Faults are drawn from a seeded PRNG, one draw per faultable
 * request, so a run's sequence of faults is repeatable. Error bodies are what AWS sends for each
 * protocol, so the real SDK clients classify them (throttling, transient) as they would in production.
 */
export interface FaultProxyOptions {
  /** moto's endpoint. */
  target: string;
  /** Seed of the PRNG that picks the faults; default 1. */
  seed?: number;
  /** Share (0..1) of faultable requests answered with a throttling error, never forwarded. */
  throttleShare?: number;
  /** Share (0..1) answered with a 500, never forwarded. */
  errorShare?: number;
  /** Share (0..1) forwarded to moto (the change happens) but answered with a 500: the client can't know it worked. */
  lostResponseShare?: number;
  /** SigV4 service names to fault (default `iam`, `dynamodb`); others always pass through. */
  services?: readonly string[];
  /** When set, only requests whose action matches are faultable (e.g. the writes). */
  actions?: RegExp;
  /** Stand-ins for operations moto lacks: an answer here is sent as is. Checked before faults. */
  answer?: (request: ProxiedRequest) => { status: number; headers?: Record<string, string>; body: string } | undefined;
}

export interface ProxiedRequest {
  /** From the SigV4 credential scope. */
  service: string;
  region: string;
  /** The `Action` form parameter (query protocol: IAM, STS) or the `X-Amz-Target` operation (JSON protocol). */
  action: string | undefined;
  /** The urlencoded form of a query-protocol request, else the URL's query parameters. */
  params: URLSearchParams;
  method: string;
  path: string;
  body: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly counts: { forwarded: number; throttled: number; failed: number; lostResponses: number; answered: number };
  setFaults(
    shares: Partial<Pick<FaultProxyOptions, 'throttleShare' | 'errorShare' | 'lostResponseShare' | 'actions'>>,
  ): void;
  stop(): Promise<void>;
}

type Protocol = 'query' | 'json' | 'rest-json';
type Fault = 'throttle' | 'error';

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const services = new Set(options.services ?? ['iam', 'dynamodb']);
  const random = mulberry32(options.seed ?? 1);
  const shares: { throttleShare: number; errorShare: number; lostResponseShare: number; actions?: RegExp } = {
    throttleShare: options.throttleShare ?? 0,
    errorShare: options.errorShare ?? 0,
    lostResponseShare: options.lostResponseShare ?? 0,
    ...(options.actions ? { actions: options.actions } : {}),
  };
  const counts = { forwarded: 0, throttled: 0, failed: 0, lostResponses: 0, answered: 0 };

  const forward = (req: IncomingMessage, body: Buffer): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      counts.forwarded++;
      // Byte for byte, host header included: moto does not check signatures.
      const upstream = request(
        {
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.rawHeaders,
          setHost: false,
        },
        resolve,
      );
      upstream.once('error', reject);
      upstream.end(body);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const proxied = describe(req, body.toString('utf8'));

    const answer = options.answer?.(proxied);
    if (answer) {
      counts.answered++;
      res.writeHead(answer.status, { 'x-amzn-requestid': randomUUID(), ...answer.headers });
      res.end(answer.body);
      return;
    }

    if (services.has(proxied.service) && (!shares.actions || shares.actions.test(proxied.action ?? ''))) {
      // One draw per faultable request, whatever the shares, so equal seeds fault equal request indexes.
      const draw = random();
      const { throttleShare, errorShare, lostResponseShare } = shares;
      if (draw < throttleShare) {
        counts.throttled++;
        return sendFault(res, proxied, 'throttle');
      }
      if (draw < throttleShare + errorShare) {
        counts.failed++;
        return sendFault(res, proxied, 'error');
      }
      if (draw < throttleShare + errorShare + lostResponseShare) {
        counts.lostResponses++;
        const response = await forward(req, body);
        response.resume(); // moto's answer is dropped on the floor
        await new Promise((resolve) => response.once('end', resolve));
        return sendFault(res, proxied, 'error');
      }
    }

    const response = await forward(req, body);
    res.writeHead(response.statusCode ?? 502, response.statusMessage, response.rawHeaders);
    response.pipe(res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    setFaults: (changed) => Object.assign(shares, changed),
    stop: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections(); // the SDK keeps connections alive
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function describe(req: IncomingMessage, body: string): ProxiedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  // Credential=AKID/20261122/us-east-1/iam/aws4_request
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(headers.authorization ?? '');
  const url = new URL(req.url ?? '/', 'http://localhost');
  const query = protocolOf(headers) === 'query';
  const params = query ? new URLSearchParams(body) : url.searchParams;
  return {
    service: scope?.[2] ?? '',
    region: scope?.[1] ?? '',
    action: query ? (params.get('Action') ?? undefined) : headers['x-amz-target']?.split('.').pop(),
    params,
    method: req.method ?? '',
    path: req.url ?? '/',
    body,
    headers,
  };
}

function protocolOf(headers: Record<string, string>): Protocol {
  if (headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return 'query';
  return headers['x-amz-target'] ? 'json' : 'rest-json';
}

// Error codes as each service sends them; the SDK's retry strategy knows `Throttling`, `ThrottlingException`
// and `TooManyRequestsException` as throttling, and any 500 as transient.
const QUERY_NAMESPACES: Record<string, string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};
const JSON_ERRORS: Record<string, { prefix: string; throttle: string; error: string }> = {
  dynamodb: {
    prefix: 'com.amazonaws.dynamodb.v20120810#',
    throttle: 'ThrottlingException',
    error: 'InternalServerError',
  },
  organizations: {
    prefix: 'com.amazonaws.organizations.v20161128#',
    throttle: 'TooManyRequestsException',
    error: 'ServiceException',
  },
};

function sendFault(res: ServerResponse, request: ProxiedRequest, fault: Fault): void {
  const status = fault === 'throttle' ? 400 : 500;
  const requestId = randomUUID();
  const protocol = protocolOf(request.headers);
  if (protocol === 'query') {
    const code = fault === 'throttle' ? 'Throttling' : request.service === 'iam' ? 'ServiceFailure' : 'InternalFailure';
    const message = fault === 'throttle' ? 'Rate exceeded' : 'Service failure';
    const namespace = QUERY_NAMESPACES[request.service] ?? `https://${request.service}.amazonaws.com/doc/`;
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(
      `<ErrorResponse xmlns="${namespace}"><Error><Type>${fault === 'throttle' ? 'Sender' : 'Receiver'}</Type>` +
        `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
    return;
  }
  const errors = JSON_ERRORS[request.service] ?? {
    prefix: '',
    throttle: 'ThrottlingException',
    error: 'InternalFailure',
  };
  const code = fault === 'throttle' ? errors.throttle : errors.error;
  const message = fault === 'throttle' ? 'Rate of requests exceeds the allowed throughput.' : 'Internal server error';
  if (protocol === 'json') {
    res.writeHead(status, { 'content-type': request.headers['content-type'] ?? '', 'x-amzn-requestid': requestId });
    res.end(JSON.stringify({ __type: errors.prefix + code, message }));
  } else {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': code,
    });
    res.end(JSON.stringify({ message }));
  }
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ServiceSpecificCredential {
  UserName: string;
  ServiceSpecificCredentialId: string;
  ServiceName: string;
  Status: 'Active' | 'Inactive' | 'Expired';
  CreateDate: string;
  ServiceCredentialAlias?: string;
  ExpirationDate?: string;
}

/**
 * An `answer` for IAM `ListServiceSpecificCredentials`, which moto lacks (it answers an HTML 500).
 * Honours `UserName`, `ServiceName`, `AllUsers=true` and `MaxItems`/`Marker` paging, in IAM's XML
 * (`ListServiceSpecificCredentialsResult` → `ServiceSpecificCredentials` → `member`, `IsTruncated`,
 * `Marker`). Without `UserName` or `AllUsers` IAM lists the caller's own: moto's root caller has none.
 */
export function serviceCredentialsStandIn(
  credentials: readonly ServiceSpecificCredential[],
): NonNullable<FaultProxyOptions['answer']> {
  return (request) => {
    if (request.service !== 'iam' || request.action !== 'ListServiceSpecificCredentials') return undefined;
    const p = request.params;
    const userName = p.get('UserName');
    const allUsers = p.get('AllUsers') === 'true' && userName === null;
    const serviceName = p.get('ServiceName');
    const matching = credentials.filter(
      (c) => (allUsers || c.UserName === userName) && (serviceName === null || c.ServiceName === serviceName),
    );
    const start = Number(p.get('Marker') ?? 0);
    const end = p.has('MaxItems') ? start + Number(p.get('MaxItems')) : matching.length;
    const members = matching
      .slice(start, end)
      .map(
        (c) =>
          '<member>' +
          Object.entries(c)
            .filter(([, value]) => value !== undefined)
            .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
            .join('') +
          '</member>',
      )
      .join('');
    const truncated = end < matching.length;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        `<ListServiceSpecificCredentialsResponse xmlns="${QUERY_NAMESPACES.iam}"><ListServiceSpecificCredentialsResult>` +
        `<ServiceSpecificCredentials>${members}</ServiceSpecificCredentials><IsTruncated>${truncated}</IsTruncated>` +
        (truncated ? `<Marker>${end}</Marker>` : '') +
        `</ListServiceSpecificCredentialsResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId>` +
        '</ResponseMetadata></ListServiceSpecificCredentialsResponse>',
    };
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
