// A cluster with internode mutual TLS (tls.internode): frontend, history, matching and worker as separate processes
// that call each other over mTLS, a workflow through them, and internal ports that refuse plaintext and
// certificate-less clients. Needs Redis (TEMPORA_TEST_REDIS), like the other cluster tests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { TEST_REDIS_URL, TestCluster, redisAvailable, withWorkload, type ClusterProcess } from './cluster-support.js';
import { makeCertificates, type Certificates } from './tls-support.js';
import type * as workflows from './workflows/index.js';

const describeWithRedis = (await redisAvailable()) ? describe : describe.skip;

/** A grpc.health.v1 Check on the generic client: resolves with the error code, 0 when it answered. */
function healthCheck(address: string, credentials: grpc.ChannelCredentials): Promise<number> {
  const Client = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
  const client = new Client(address, credentials) as InstanceType<typeof Client> & {
    check(
      request: { service: string },
      options: grpc.CallOptions,
      callback: (err: grpc.ServiceError | null) => void,
    ): void;
  };
  return new Promise((resolve) => {
    client.check({ service: '' }, { deadline: Date.now() + 3_000 }, (err) => {
      client.close();
      resolve(err ? err.code : 0);
    });
  });
}

describeWithRedis('cluster with internode mTLS', () => {
  let certs: Certificates;
  let cluster: TestCluster;
  let history: ClusterProcess;

  beforeAll(async () => {
    certs = makeCertificates([['node', 'internode.tempora']]);
    cluster = new TestCluster({
      redisUrl: TEST_REDIS_URL,
      env: {
        TEMPORA_TLS__INTERNODE__SERVER__CERT_FILE: certs.file('node.pem'),
        TEMPORA_TLS__INTERNODE__SERVER__KEY_FILE: certs.file('node.key'),
        TEMPORA_TLS__INTERNODE__SERVER__CLIENT_CA_FILES: certs.file('ca.pem'),
        TEMPORA_TLS__INTERNODE__SERVER__REQUIRE_CLIENT_AUTH: 'true',
        TEMPORA_TLS__INTERNODE__CLIENT__ROOT_CA_FILES: certs.file('ca.pem'),
      },
    });
    const started = await Promise.all(
      (['history', 'matching', 'worker', 'frontend'] as const).map((s) => cluster.start(s)),
    );
    history = started[0]!;
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs workflows through history and matching over mTLS', async () => {
    await withWorkload(cluster, async ({ client, taskQueue }) => {
      const results = await Promise.all(
        [1, 2, 3].map((i) =>
          client.workflow.execute<typeof workflows.crashSurvivorWorkflow>('crashSurvivorWorkflow', {
            taskQueue,
            workflowId: `${taskQueue}-${i}`,
            args: [i],
          }),
        ),
      );
      expect(results).toEqual(['a1-b1', 'a2-b2', 'a3-b3']);
    });
  });

  it("history's port refuses plaintext and clients without a certificate, and answers one with it", async () => {
    const address = `127.0.0.1:${history.port}`;
    const ca = certs.read('ca.pem');
    expect(await healthCheck(address, grpc.credentials.createInsecure())).toBe(grpc.status.UNAVAILABLE);
    expect(await healthCheck(address, grpc.credentials.createSsl(ca))).toBe(grpc.status.UNAVAILABLE);
    const withCert = grpc.credentials.createSsl(ca, certs.read('node.key'), certs.read('node.pem'));
    expect(await healthCheck(address, withCert)).toBe(0);
  });
});
