// The official Temporal Web UI beside `tempora start-dev`: the UI server binary (github.com/temporalio/ui-server,
// built by deploy/local/ui.sh install) run as a child process against the dev server's frontend, stopped with it.
// The official start-dev embeds the same server; Tempora runs it as a separate program because it is Go.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@tempora/common';

/** Where deploy/local/ui.sh install puts the binary: .deps/ui-server/bin under the repository root. */
const INSTALLED_BINARY = fileURLToPath(new URL('../../../.deps/ui-server/bin/ui-server', import.meta.url));
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface WebUiOptions {
  ip: string;
  port: number;
  /** host:port of the frontend the UI talks gRPC to. */
  frontend: string;
  defaultNamespace: string;
  /** The ui-server binary; default TEMPORA_UI_SERVER, else the one deploy/local/ui.sh installed. */
  binary?: string;
  logger: Logger;
}

export interface WebUi {
  readonly url: string;
  stop(): Promise<void>;
}

/** What start-dev reports about the UI: running at a URL, or not installed and how to install it. */
export type WebUiStatus = { running: WebUi } | { notInstalled: string };

/** The binary to run, or undefined when there is none. */
export function findUiServer(binary = process.env['TEMPORA_UI_SERVER'] || INSTALLED_BINARY): string | undefined {
  return existsSync(binary) ? binary : undefined;
}

/** Starts the UI server when it is installed and resolves once it answers HTTP; otherwise says how to install it. */
export async function startWebUi(options: WebUiOptions): Promise<WebUiStatus> {
  const binary = findUiServer(options.binary);
  if (!binary) {
    const looked = options.binary ?? (process.env['TEMPORA_UI_SERVER'] || INSTALLED_BINARY);
    return {
      notInstalled:
        `Web UI not started: no UI server at ${looked}. Install it with \`deploy/local/ui.sh install\` ` +
        '(or set TEMPORA_UI_SERVER to a temporalio/ui-server binary); the dev server runs without it.',
    };
  }
  const url = `http://${options.ip}:${options.port}`;
  // The UI server reads <root>/<config>/<env>.yaml; JSON is YAML, and no templating is needed.
  const root = mkdtempSync(join(tmpdir(), 'tempora-ui-'));
  writeFileSync(
    join(root, 'tempora.yaml'),
    JSON.stringify({
      temporalGrpcAddress: options.frontend,
      host: options.ip,
      port: options.port,
      enableUi: true,
      defaultNamespace: options.defaultNamespace,
      // No calls to temporal.io from a local dev server, and no request log on the dev server's output.
      disableNewsFetch: true,
      notifyOnNewVersion: false,
      hideLogs: true,
      // Plain HTTP: the CSRF cookie must not be Secure, and only the UI's own origin may call its API.
      cors: { cookieInsecure: true, allowOrigins: [url] },
    }),
  );
  const logger = options.logger.child({ component: 'web-ui' });
  const child = spawn(binary, ['--root', root, '--config', '.', '--env', 'tempora', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) logger.debug({ line }, 'ui server output');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = false;
  let stopping = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      rmSync(root, { recursive: true, force: true });
      if (!stopping) logger.error({ code, signal, output }, 'the Web UI server exited');
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`the Web UI server (${binary}) exited at start:\n${output}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Web UI server did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { running: { url, stop } };
}
