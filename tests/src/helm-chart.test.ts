// The Helm chart (helm/tempora), rendered by a real `helm`: lint passes, every service is its own Deployment with
// its own replicas, port and resources, the frontend alone gets a Service, the schema job is a pre-install hook,
// HPAs exist only when enabled, the config every process reads points at the external stores, and every pod runs as
// the image's non-root user on a read-only root filesystem with an emptyDir at /tmp.
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadConfig } from '@tempora/common';
import { parse, parseAllDocuments } from 'yaml';

const CHART = fileURLToPath(new URL('../../helm/tempora', import.meta.url));
const DOCKERFILE = fileURLToPath(new URL('../../deploy/docker/Dockerfile', import.meta.url));
const SERVICES = ['frontend', 'history', 'matching', 'worker'];

/** `helm` from HELM, the PATH, or Go's bin folder (where .ci/run installs it). */
function findHelm(): string | undefined {
  const candidates = [process.env.HELM, 'helm', join(homedir(), 'go', 'bin', 'helm')].filter((c): c is string =>
    Boolean(c),
  );
  return candidates.find((c) => spawnSync(c, ['version', '--short']).status === 0);
}

interface Manifest {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  data?: Record<string, string>;
}

/** The parts of the rendered tempora.yaml the tests read. */
interface RenderedConfig {
  numHistoryShards: number;
  persistence: unknown;
  visibility: unknown;
  membership: { redisUrl: string };
  services: { matching: { grpcPort: number } };
}

const helm = findHelm();
const reason = 'helm is not installed (go install helm.sh/helm/v3/cmd/helm@v3.16.4, or set HELM)';
if (!helm && process.env.CI !== 'true') console.log(`skipping the Helm chart tests: ${reason}`);
const describeChart = helm || process.env.CI === 'true' ? describe : describe.skip;

function render(...sets: string[]): Manifest[] {
  if (!helm) throw new Error(reason);
  const args = ['template', 'prod', CHART, ...sets.flatMap((s) => ['--set', s])];
  return parseAllDocuments(execFileSync(helm, args, { encoding: 'utf8' }))
    .map((d) => d.toJSON() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

/** What every process loads from the rendered tempora.yaml, through the real config loader (unknown keys fail). */
function loadConfigFrom(rendered: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'tempora-chart-')), 'tempora.yaml');
  writeFileSync(file, rendered);
  return loadConfig(file, {});
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  volumes?: Record<string, unknown>[];
  containers: {
    args: string[];
    securityContext?: Record<string, unknown>;
    volumeMounts?: Record<string, unknown>[];
    readinessProbe?: Record<string, unknown>;
  }[];
}

interface WebContainer {
  image: string;
  env: { name: string; value: string }[];
  readinessProbe: Record<string, unknown>;
}

/** The pod of every Deployment and of the schema Job. */
const podSpecs = (manifests: Manifest[]) =>
  [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')].map(
    (m) => (m.spec.template as { spec: PodSpec }).spec,
  );

describeChart('helm chart', () => {
  it('passes helm lint', () => {
    if (!helm) throw new Error(reason);
    const lint = spawnSync(helm, ['lint', CHART], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toContain('0 chart(s) failed');
    expect(lint.status).toBe(0);
  });

  it('renders one Deployment per service with its own replicas, port and `start --services` command', () => {
    const manifests = render();
    const deployments = byKind(manifests, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      [...SERVICES, 'web'].map((s) => `prod-tempora-${s}`).sort(),
    );
    const history = deployments.find((d) => d.metadata.name === 'prod-tempora-history')!;
    expect(history.spec.replicas).toBe(3);
    const container = (
      history.spec.template as { spec: { containers: { args: string[]; ports: { containerPort: number }[] }[] } }
    ).spec.containers[0]!;
    expect(container.args).toEqual([
      'start',
      '--config',
      '/etc/tempora/tempora.yaml',
      '--services',
      'history',
      '--grpc-port',
      '7234',
    ]);
    expect(container.ports[0]!.containerPort).toBe(7234);
    expect(byKind(manifests, 'Service').map((s) => s.metadata.name)).toEqual([
      'prod-tempora-frontend',
      'prod-tempora-web',
    ]);
    expect(byKind(manifests, 'HorizontalPodAutoscaler')).toHaveLength(0);
  });

  it("exposes each service's metrics port with Prometheus scrape annotations, and a ServiceMonitor when enabled", () => {
    const manifests = render();
    const config = byKind(manifests, 'ConfigMap')[0]!.data as Record<string, string>;
    expect(config['tempora.yaml']).toContain('history: { grpcPort: 7234, metricsPort: 9091 }');
    const history = byKind(manifests, 'Deployment').find((d) => d.metadata.name === 'prod-tempora-history')!;
    const template = history.spec.template as {
      metadata: { annotations: Record<string, string> };
      spec: { containers: { ports: { name: string; containerPort: number }[] }[] };
    };
    expect(template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9091',
      'prometheus.io/path': '/metrics',
    });
    expect(template.spec.containers[0]!.ports).toContainEqual({ name: 'metrics', containerPort: 9091 });
    expect(byKind(manifests, 'ServiceMonitor')).toHaveLength(0);

    const monitored = render('metrics.serviceMonitor.enabled=true', 'metrics.serviceMonitor.labels.release=kps');
    const [monitor] = byKind(monitored, 'ServiceMonitor');
    expect(monitor!.metadata.labels).toMatchObject({ release: 'kps' });
    expect(monitor!.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(byKind(monitored, 'Service').map((s) => s.metadata.name)).toEqual(
      expect.arrayContaining(SERVICES.map((s) => `prod-tempora-${s}-metrics`)),
    );
  });

  it('serves the HTTP API on the frontend (services.frontend.httpPort) behind the frontend Service, or not at all', () => {
    const manifests = render();
    const config = loadConfigFrom(byKind(manifests, 'ConfigMap')[0]!.data!['tempora.yaml']!);
    expect(config.services.frontend.httpPort).toBe(7243);
    const frontend = byKind(manifests, 'Deployment').find((d) => d.metadata.name === 'prod-tempora-frontend')!;
    const container = (frontend.spec.template as { spec: { containers: { ports: unknown[] }[] } }).spec.containers[0]!;
    expect(container.ports).toContainEqual({ name: 'http', containerPort: 7243 });
    const service = byKind(manifests, 'Service').find((m) => m.metadata.name === 'prod-tempora-frontend')!;
    expect(service.spec.ports).toContainEqual({ name: 'http', port: 7243, targetPort: 'http' });

    const off = render('services.frontend.httpPort=0');
    expect(loadConfigFrom(byKind(off, 'ConfigMap')[0]!.data!['tempora.yaml']!).services.frontend.httpPort).toBe(0);
    const offService = byKind(off, 'Service').find((m) => m.metadata.name === 'prod-tempora-frontend')!;
    expect((offService.spec.ports as { name: string }[]).map((p) => p.name)).toEqual(['grpc']);
  });

  it('configures every process for Cassandra, Elasticsearch and Redis from the values', () => {
    const manifests = render('cassandra.keyspace=orders', 'redis.url=redis://membership:6379', 'numHistoryShards=1024');
    const config = parse(byKind(manifests, 'ConfigMap')[0]!.data!['tempora.yaml']!) as RenderedConfig;
    expect(config.numHistoryShards).toBe(1024);
    expect(config.persistence).toMatchObject({
      driver: 'cassandra',
      cassandra: { keyspace: 'orders', contactPoints: ['cassandra:9042'] },
    });
    expect(config.visibility).toMatchObject({
      driver: 'elasticsearch',
      elasticsearch: { url: 'http://elasticsearch:9200' },
    });
    expect(config.membership.redisUrl).toBe('redis://membership:6379');
    expect(config.services.matching.grpcPort).toBe(7235);
  });

  it('runs the schema job as a pre-install/pre-upgrade hook, and autoscales a service only when asked', () => {
    const manifests = render(
      'services.history.autoscaling.enabled=true',
      'services.history.autoscaling.maxReplicas=20',
    );
    const job = byKind(manifests, 'Job')[0]!;
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const hpas = byKind(manifests, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [h.metadata.name, h.spec.maxReplicas])).toEqual([['prod-tempora-history', 20]]);
    // An autoscaled Deployment leaves its replica count to the HPA.
    const history = byKind(manifests, 'Deployment').find((d) => d.metadata.name === 'prod-tempora-history')!;
    expect(history.spec.replicas).toBeUndefined();
  });

  it('runs every pod as non-root on a read-only root filesystem, with an emptyDir at /tmp', () => {
    const pods = podSpecs(render());
    // The services, the Web UI and the schema job.
    expect(pods).toHaveLength(SERVICES.length + 2);
    for (const pod of pods) {
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      const container = pod.containers[0]!;
      expect(container.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    }
  });

  it('takes the security settings from the values', () => {
    const overrides = [
      'podSecurityContext.runAsUser=2000',
      'securityContext.readOnlyRootFilesystem=false',
      'tmpDir.sizeLimit=1Gi',
    ];
    for (const pod of podSpecs(render(...overrides))) {
      expect(pod.securityContext?.runAsUser).toBe(2000);
      expect(pod.containers[0]!.securityContext?.readOnlyRootFilesystem).toBe(false);
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } });
    }
  });

  it("runs the image's user and the image's entrypoint", () => {
    const dockerfile = readFileSync(DOCKERFILE, 'utf8');
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    const entrypoint = /^ENTRYPOINT \["node", "([^"]+)"\]$/m.exec(dockerfile)?.[1];
    expect(entrypoint).toBe('/app/dist/main.js');
    // The schema job replaces the entrypoint with a shell, so it names the same script.
    const job = podSpecs(render()).at(-1)!;
    expect(job.containers[0]!.args.join(' ')).toContain(`node ${entrypoint} schema cassandra setup`);
  });

  it('turns TLS on from Secrets: mounted volumes, the config keys Tempora reads, TCP probes', () => {
    const manifests = render(
      'tls.frontend.enabled=true',
      'tls.frontend.secretName=frontend-tls',
      'tls.frontend.requireClientAuth=true',
      'tls.internode.enabled=true',
      'tls.internode.secretName=internode-tls',
      'tls.internode.serverName=internode.tempora.svc',
      'web.tls.clientSecretName=web-client-tls',
    );
    const config = loadConfigFrom(byKind(manifests, 'ConfigMap')[0]!.data!['tempora.yaml']!);
    expect(config.tls.frontend.server).toEqual({
      certFile: '/etc/tempora-tls/frontend/tls.crt',
      keyFile: '/etc/tempora-tls/frontend/tls.key',
      clientCaFiles: ['/etc/tempora-tls/frontend/ca.crt'],
      requireClientAuth: true,
    });
    expect(config.tls.internode.server.requireClientAuth).toBe(true);
    expect(config.tls.internode.client).toEqual({
      serverName: 'internode.tempora.svc',
      disableHostVerification: false,
      rootCaFiles: ['/etc/tempora-tls/internode/ca.crt'],
    });
    expect(config.tls.systemWorker.client.rootCaFiles).toEqual(['/etc/tempora-tls/frontend/ca.crt']);

    const deployments = byKind(manifests, 'Deployment');
    const pod = (service: string) =>
      (deployments.find((d) => d.metadata.name === `prod-tempora-${service}`)!.spec.template as { spec: PodSpec }).spec;
    const secretsOf = (service: string) =>
      (pod(service).volumes ?? [])
        .map((v) => (v.secret as { secretName: string } | undefined)?.secretName)
        .filter(Boolean)
        .sort();
    expect(secretsOf('frontend')).toEqual(['frontend-tls', 'internode-tls']);
    expect(secretsOf('history')).toEqual(['internode-tls']);
    expect(secretsOf('worker')).toEqual(['frontend-tls', 'internode-tls']);
    expect(pod('frontend').containers[0]!.volumeMounts).toContainEqual({
      name: 'tls-frontend',
      mountPath: '/etc/tempora-tls/frontend',
      readOnly: true,
    });
    for (const service of SERVICES) {
      expect(pod(service).containers[0]!.readinessProbe).toMatchObject({ tcpSocket: { port: expect.any(Number) } });
    }
    // Without TLS the probes stay gRPC health checks and nothing is mounted.
    const plain = byKind(render(), 'Deployment')[0]!.spec.template as { spec: PodSpec };
    expect(plain.spec.containers[0]!.readinessProbe).toHaveProperty('grpc');
    expect(plain.spec.volumes?.some((v) => 'secret' in v)).toBe(false);
    expect(loadConfig(undefined, {}).tls.frontend.server.certFile).toBe('');
  });

  it('deploys the official Web UI against the frontend Service, with its Service and an Ingress when enabled', () => {
    const manifests = render();
    const web = byKind(manifests, 'Deployment').find((d) => d.metadata.name === 'prod-tempora-web')!;
    const container = (web.spec.template as { spec: { containers: WebContainer[] } }).spec.containers[0]!;
    expect(container.image).toBe('temporalio/ui:2.58.1');
    expect(container.env).toEqual([
      { name: 'TEMPORAL_ADDRESS', value: 'prod-tempora-frontend.default.svc:7233' },
      { name: 'TEMPORAL_UI_PORT', value: '8080' },
    ]);
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/', port: 'http' } });
    const service = byKind(manifests, 'Service').find((s) => s.metadata.name === 'prod-tempora-web')!;
    expect(service.spec).toMatchObject({
      selector: { 'app.kubernetes.io/component': 'web' },
      ports: [{ name: 'http', port: 8080, targetPort: 'http' }],
    });
    expect(byKind(manifests, 'Ingress')).toHaveLength(0);

    const exposed = render(
      'web.ingress.enabled=true',
      'web.ingress.className=nginx',
      'web.ingress.hosts={ui.example.com}',
      'web.ingress.tls[0].secretName=ui-tls',
      'web.ingress.tls[0].hosts={ui.example.com}',
    );
    const [ingress] = byKind(exposed, 'Ingress');
    expect(ingress!.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ secretName: 'ui-tls', hosts: ['ui.example.com'] }],
      rules: [
        {
          host: 'ui.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'prod-tempora-web', port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    });
    expect(byKind(render('web.enabled=false'), 'Deployment').map((d) => d.metadata.name)).not.toContain(
      'prod-tempora-web',
    );
  });

  it('gives the Web UI the frontend CA, and a client certificate when the frontend requires one', () => {
    const manifests = render(
      'tls.frontend.enabled=true',
      'tls.frontend.secretName=frontend-tls',
      'tls.frontend.requireClientAuth=true',
      'web.tls.clientSecretName=web-client-tls',
      'web.tls.serverName=frontend.tempora.svc',
    );
    const web = byKind(manifests, 'Deployment').find((d) => d.metadata.name === 'prod-tempora-web')!;
    const pod = (web.spec.template as { spec: PodSpec & { containers: WebContainer[] } }).spec;
    expect(pod.containers[0]!.env).toEqual(
      expect.arrayContaining([
        { name: 'TEMPORAL_TLS_CA', value: '/etc/tempora-tls/frontend/ca.crt' },
        { name: 'TEMPORAL_TLS_CERT', value: '/etc/tempora-tls/web-client/tls.crt' },
        { name: 'TEMPORAL_TLS_KEY', value: '/etc/tempora-tls/web-client/tls.key' },
        { name: 'TEMPORAL_TLS_SERVER_NAME', value: 'frontend.tempora.svc' },
      ]),
    );
    const secrets = (pod.volumes ?? []).map((v) => (v.secret as { secretName: string } | undefined)?.secretName);
    expect(secrets.filter(Boolean)).toEqual(['frontend-tls', 'web-client-tls']);
    expect(() =>
      render('tls.frontend.enabled=true', 'tls.frontend.secretName=f', 'tls.frontend.requireClientAuth=true'),
    ).toThrow('web.tls.clientSecretName is required');
  });

  it('refuses TLS without its Secret', () => {
    expect(() => render('tls.frontend.enabled=true')).toThrow('tls.frontend.secretName is required');
  });
});
