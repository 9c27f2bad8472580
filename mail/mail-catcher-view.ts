import { h } from 'preact';
import { render } from '../client/web/render';
import { InboxPage, MessagePage } from '../client/web/views/mail-catcher';
import type { CaughtMessage } from './mail-catcher';

/**
 * The mail catcher's pages, rendered by the views of client/web (the layer that escapes by
 * default). URL layout assumed by the links: the inbox at `basePath`, one message at `basePath/<id>`.
 */
export interface InboxOptions {
  /** Defaults to "/mail". */
  basePath?: string;
  /** Seconds between automatic reloads of the inbox; omitted means no reload. */
  refreshSeconds?: number;
}

export interface MessagePageOptions {
  /** Defaults to "/mail". */
  basePath?: string;
  /** Where the .eml source can be downloaded, when a route serves it. */
  rawHref?: string;
}

/** The list of caught messages, in the order given (MailCatcher.messages() is newest first). */
export function renderInbox(messages: readonly CaughtMessage[], opts: InboxOptions = {}): string {
  return render(
    h(InboxPage, {
      messages,
      basePath: opts.basePath ?? '/mail',
      ...(opts.refreshSeconds === undefined ? {} : { refreshSeconds: opts.refreshSeconds }),
    }),
  );
}

/** One message: summary, HTML part in a sandboxed frame, text part, full headers and attachments. */
export function renderMessagePage(message: CaughtMessage, opts: MessagePageOptions = {}): string {
  return render(
    h(MessagePage, { message, basePath: opts.basePath ?? '/mail', ...(opts.rawHref ? { rawHref: opts.rawHref } : {}) }),
  );
}
