// Where tests find Elasticsearch: TEMPORA_TEST_ELASTICSEARCH (default http://127.0.0.1:9200). Unreachable under
// CI=true is a failure; elsewhere the suite is skipped with a one-line note, so a laptop without ES still runs the rest.
export const ELASTICSEARCH_TEST_URL = process.env.TEMPORA_TEST_ELASTICSEARCH || 'http://127.0.0.1:9200';

export async function elasticsearchAvailable(): Promise<boolean> {
  try {
    const response = await fetch(new URL('/_cluster/health', ELASTICSEARCH_TEST_URL), {
      signal: AbortSignal.timeout(3_000),
    });
    if (response.ok) return true;
  } catch {
    // unreachable
  }
  if (process.env.CI === 'true') {
    throw new Error(
      `Elasticsearch is not reachable at ${ELASTICSEARCH_TEST_URL} (TEMPORA_TEST_ELASTICSEARCH); CI must start it with deploy/local/elasticsearch.sh start`,
    );
  }
  console.log(
    `skipping Elasticsearch tests: nothing answers at ${ELASTICSEARCH_TEST_URL} (start it with deploy/local/elasticsearch.sh start)`,
  );
  return false;
}

/** An index name no other test file uses. */
export function uniqueTestIndex(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`.toLowerCase();
}
