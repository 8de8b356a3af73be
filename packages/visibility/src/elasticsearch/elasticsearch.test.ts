import { Client } from '@elastic/elasticsearch';
import { afterAll, expect, it } from '@jest/globals';
import { describeVisibilityContract } from '../contract/index.js';
import { ELASTICSEARCH_TEST_URL, elasticsearchAvailable, uniqueTestIndex } from '../contract/elasticsearch-target.js';
import { openElasticsearchVisibilityStore, setupElasticsearchSchema } from './index.js';

const index = uniqueTestIndex('tempora-visibility-test');
const admin = new Client({ node: ELASTICSEARCH_TEST_URL });

if (await elasticsearchAvailable()) {
  afterAll(async () => {
    await admin.indices.delete({ index, ignore_unavailable: true });
    await admin.indices.deleteIndexTemplate({ name: `${index}-template` }, { ignore: [404] });
    await admin.close();
  });

  describeVisibilityContract('elasticsearch', () =>
    openElasticsearchVisibilityStore({ url: ELASTICSEARCH_TEST_URL, index, refresh: 'wait_for' }),
  );

  it('the schema tool is idempotent and the mapping refuses unknown fields', async () => {
    await setupElasticsearchSchema(admin, index);
    await setupElasticsearchSchema(admin, index);
    const mapping = await admin.indices.getMapping({ index });
    expect(mapping[index]?.mappings.dynamic).toBe('strict');
    await expect(admin.index({ index, document: { NotAField: 1 } })).rejects.toThrow(
      /strict_dynamic_mapping_exception/,
    );
  });

  it('a store whose server is unreachable fails with a clear error', async () => {
    await expect(openElasticsearchVisibilityStore({ url: 'http://127.0.0.1:1', index, maxRetries: 0 })).rejects.toThrow(
      /ECONNREFUSED|connect/i,
    );
  });
} else {
  it.skip('elasticsearch visibility store (Elasticsearch not reachable)', () => {});
  afterAll(() => admin.close());
}
