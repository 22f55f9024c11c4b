/**
 * A loopback stand-in for the places Alertmanager notifies: a webhook endpoint, two Slack
 * incoming webhooks (pages, warnings) and the Telegram Bot API, each on a path of one HTTP
 * server. It records every request and answers as the real service would, so Alertmanager
 * counts the notification as delivered.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEnv } from '../support/alertmanager-config.ts';

export type Destination = 'webhook' | 'slack-pages' | 'slack-warnings' | 'telegram';

export interface Notification {
  readonly destination: Destination;
  readonly path: string;
  readonly body: unknown;
}

/** One alert of Alertmanager's webhook payload (version 4). */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface WebhookPayload {
  readonly version: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: readonly WebhookAlert[];
}

/** A Slack incoming-webhook body as Alertmanager sends it. */
export interface SlackPayload {
  readonly attachments: ReadonlyArray<{ readonly title: string; readonly text: string; readonly color: string }>;
}

/** The Telegram sendMessage request as Alertmanager sends it. */
export interface TelegramPayload {
  readonly chat_id: number | string;
  readonly text: string;
  readonly parse_mode?: string;
}

export const TELEGRAM_TOKEN = '123456:test-bot-token';
export const TELEGRAM_CHAT_ID = '-1001234567890';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded') === true) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class NotificationSink {
  readonly received: Notification[] = [];
  private server: Server | null = null;
  private base = '';

  /** Listens on 127.0.0.1, port 0. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((text) => {
        const path = req.url ?? '/';
        const destination = this.destinationOf(path);
        if (destination === null) {
          res.writeHead(404).end();
          return;
        }
        if (destination === 'telegram') {
          const method = path.split('/').at(-1) ?? '';
          const result =
            method === 'getMe'
              ? { id: 1, is_bot: true, first_name: 'mm', username: 'mm_bot' }
              : {
                  message_id: this.received.length + 1,
                  date: Math.floor(Date.now() / 1000),
                  chat: { id: Number(TELEGRAM_CHAT_ID), type: 'supergroup' },
                  text: '',
                };
          if (method === 'sendMessage') this.received.push({ destination, path, body: parseBody(text, req.headers['content-type']) });
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
          return;
        }
        this.received.push({ destination, path, body: parseBody(text, req.headers['content-type']) });
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Returns the ALERT_* variables that point every receiver at this sink. */
  alertEnv(grafanaUrl: string): AlertEnv {
    return {
      ALERT_GRAFANA_URL: grafanaUrl,
      ALERT_WEBHOOK_URL: `${this.base}/webhook`,
      ALERT_SLACK_PAGE_WEBHOOK_URL: `${this.base}/slack/pages`,
      ALERT_SLACK_WARNING_WEBHOOK_URL: `${this.base}/slack/warnings`,
      ALERT_TELEGRAM_API_URL: `${this.base}/telegram`,
      ALERT_TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      ALERT_TELEGRAM_CHAT_ID: TELEGRAM_CHAT_ID,
    };
  }

  /** Returns the webhook alerts received so far (each notification's alerts, in order). */
  webhookAlerts(): WebhookAlert[] {
    return this.received.filter((n) => n.destination === 'webhook').flatMap((n) => (n.body as WebhookPayload).alerts);
  }

  /** Returns the bodies received by one destination. */
  bodies<T>(destination: Destination): T[] {
    return this.received.filter((n) => n.destination === destination).map((n) => n.body as T);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }

  private destinationOf(path: string): Destination | null {
    if (path.startsWith('/webhook')) return 'webhook';
    if (path.startsWith('/slack/pages')) return 'slack-pages';
    if (path.startsWith('/slack/warnings')) return 'slack-warnings';
    if (path.startsWith(`/telegram/bot${TELEGRAM_TOKEN}/`)) return 'telegram';
    return null;
  }
}
