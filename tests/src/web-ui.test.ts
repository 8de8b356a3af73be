// The official Temporal Web UI against Tempora in a real browser: start-dev's UI server (the binary
// deploy/local/ui.sh install builds; TEMPORA_TEST_UI_SERVER names another) driven by Debian's chromium through
// playwright-core (TEMPORA_TEST_CHROMIUM, default /usr/bin/chromium). The UI shows the workflow list and a history,
// sends a signal that the official client then reads from the history, and opens the workers pages.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Connection, type WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findUiServer, type WebUiStatus } from '@tempora/cli';
import { eventually, freePort, startCli, startTestServer, uniqueName } from './helpers.js';
import { eventTypeName, installRuntime, readHistory, useSdkTarget } from './sdk-support.js';

const UI_SERVER = process.env.TEMPORA_TEST_UI_SERVER || findUiServer();
const CHROMIUM = process.env.TEMPORA_TEST_CHROMIUM || '/usr/bin/chromium';

function available(what: string, present: boolean): boolean {
  if (present) return true;
  if (process.env.CI === 'true') throw new Error(`the Web UI tests need ${what}`);
  console.log(`skipping Web UI tests: no ${what}`);
  return false;
}
const haveUiServer = available(
  'UI server (deploy/local/ui.sh install, or TEMPORA_TEST_UI_SERVER=$(deploy/local/ui.sh path))',
  UI_SERVER !== undefined && existsSync(UI_SERVER),
);
const haveBrowser =
  haveUiServer && available(`chromium at ${CHROMIUM} (apt-get install chromium)`, existsSync(CHROMIUM));

/** "WORKFLOW_EXECUTION_SIGNALED" as the UI writes it: "Workflow Execution Signaled". */
function uiEventName(type: string): string {
  return type
    .split('_')
    .map((word) => word[0] + word.slice(1).toLowerCase())
    .join(' ');
}

describe('start-dev --ui-port', () => {
  it('without a UI server says how to install it and serves without the UI', async () => {
    const port = await freePort();
    // With the `--` that `pnpm dev -- --ui-port 8233` passes through.
    const started = await startCli(
      ['start-dev', '--', '--port', String(port), '--ui-port', String(await freePort()), '--log-level', 'warn'],
      { TEMPORA_UI_SERVER: '/nonexistent/ui-server' },
      'deploy/local/ui.sh install',
    );
    try {
      // The dev server still answers.
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      expect((await connection.workflowService.getSystemInfo({})).serverVersion).toBeTruthy();
      await connection.close();
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }
  }, 60_000);

  (haveUiServer ? it : it.skip)(
    'fails the start, naming the UI server, when the UI port is taken',
    async () => {
      const taken: Server = createServer();
      const port = await new Promise<number>((resolve) =>
        taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
      );
      try {
        await expect(startTestServer({ ui: { port, binary: UI_SERVER } })).rejects.toThrow(
          /Web UI server .* exited at start/,
        );
      } finally {
        taken.close();
      }
    },
    60_000,
  );
});

// The namespace advertises worker heartbeats, so the UI's Workers views read ListWorkers: heartbeats every second
// (the SDK's default is 60 s) make the test worker appear at once. Installed before the server's own workers start.
installRuntime({ workerHeartbeatInterval: '1s' });

(haveBrowser ? describe : describe.skip)('the official Web UI', () => {
  const taskQueue = uniqueName('web-ui');
  let webUi: WebUiStatus | undefined;
  const sdk = useSdkTarget({
    taskQueue,
    workflows: 'messages',
    workerOptions: { identity: 'web-ui-test-worker' },
    start: async () => {
      const t = await startTestServer({ ui: { port: await freePort(), binary: UI_SERVER } });
      webUi = t.server.webUi;
      return { address: t.server.address, connection: t.connection, close: () => t.close() };
    },
  });
  let browser: Browser;
  let current: Page | undefined;
  let ui: string;
  let running: WorkflowHandle;
  let completed: WorkflowHandle;

  beforeAll(async () => {
    if (!webUi || !('running' in webUi)) throw new Error(`the Web UI did not start: ${JSON.stringify(webUi)}`);
    ui = webUi.running.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    running = await sdk.client.workflow.start('signalCollector', {
      taskQueue,
      workflowId: uniqueName('ui-running'),
      args: [1],
    });
    completed = await sdk.client.workflow.start('signalCollector', {
      taskQueue,
      workflowId: uniqueName('ui-completed'),
      args: [5],
    });
    await completed.signal('finish');
    await completed.result();
    // The list page reads visibility, which is written asynchronously.
    await eventually(async () => {
      const statuses = new Map<string, string>();
      for await (const wf of sdk.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
        statuses.set(wf.workflowId, wf.status.name);
      }
      expect(statuses.get(running.workflowId)).toBe('RUNNING');
      expect(statuses.get(completed.workflowId)).toBe('COMPLETED');
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Each test gets a fresh page (no state left from the last one), closed by the next open. */
  async function open(url: string): Promise<Page> {
    await current?.close();
    current = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await current.goto(url);
    return current;
  }

  const workflowPage = (handle: WorkflowHandle, tab: string) =>
    `${ui}/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/${tab}`;

  it('lists the namespace workflows with their status', async () => {
    const page = await open(`${ui}/namespaces/default/workflows`);
    for (const [handle, status] of [
      [running, /running/i],
      [completed, /completed/i],
    ] as const) {
      const row = page.locator('tr', { hasText: handle.workflowId });
      await row.first().waitFor();
      expect(await row.first().innerText()).toMatch(status);
      expect(await row.first().innerText()).toContain('signalCollector');
    }
  }, 60_000);

  it("shows every event of a workflow's history", async () => {
    const events = await readHistory(sdk.connection, completed.workflowId);
    expect(eventTypeName(events[events.length - 1]!)).toBe('WORKFLOW_EXECUTION_COMPLETED');
    const page = await open(workflowPage(completed, 'history'));
    await page.getByText('Workflow Execution Completed').first().waitFor();
    const text = await page.innerText('body');
    for (const event of events) expect(text).toContain(uiEventName(eventTypeName(event)));
  }, 60_000);

  it('sends a signal that lands in the history', async () => {
    const page = await open(workflowPage(running, 'history'));
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
    // The UI asked the worker for the workflow's signals (the __temporal_workflow_metadata query) and offers them.
    // The page keeps a hidden copy of the form; the dialog's is the visible one.
    await page.getByTestId('signal-select-button').filter({ visible: true }).click();
    await page.getByRole('option', { name: 'add', exact: true }).filter({ visible: true }).click();
    await page.getByRole('textbox', { name: 'Data' }).filter({ visible: true }).fill('"sent from the UI"');
    await page.getByRole('button', { name: 'Submit' }).filter({ visible: true }).click();
    // The worker received it: the collector returns once one item arrived.
    expect(await running.result()).toEqual(['sent from the UI']);
    const signaled = (await readHistory(sdk.connection, running.workflowId)).filter(
      (event) => eventTypeName(event) === 'WORKFLOW_EXECUTION_SIGNALED',
    );
    expect(signaled).toHaveLength(1);
    const attributes = signaled[0]!.workflowExecutionSignaledEventAttributes!;
    expect(attributes.signalName).toBe('add');
    expect(Buffer.from(attributes.input!.payloads![0]!.data!).toString()).toBe('"sent from the UI"');
  }, 60_000);

  it("shows the workflow's workers (their heartbeats) and opens the workers page", async () => {
    // The Workers tab of a workflow lists the workers of its task queue (their heartbeats). The page fetches once
    // when it opens; on a loaded machine that fetch can come too early or fail, so it is opened again (3 times).
    for (let attempt = 1; ; attempt++) {
      const tab = await open(workflowPage(completed, 'workers'));
      try {
        await tab.getByText('web-ui-test-worker').first().waitFor({ timeout: 20_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
    // The namespace's Workers page reads ListWorkers too.
    const page = await open(`${ui}/namespaces/default/workers`);
    await page.getByRole('tab', { name: 'Instances' }).waitFor();
    await page.getByRole('tab', { name: 'Deployments' }).waitFor();
    expect(await page.innerText('body')).not.toMatch(/not implemented|internal error/i);
  }, 120_000);
});
