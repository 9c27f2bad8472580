import { h } from 'preact';
import { render } from '../client/web/render';
import { InboxPage, MessagePage, type MailChrome } from '../client/web/views/mail-catcher';
import type { CaughtMessage } from './mail-catcher';

/**
 * The mail catcher's pages, rendered by the views of client/web (the layer that escapes by
 * default). URL layout assumed by the links: the inbox at `basePath`, one message at `basePath/<id>`.
 */
export interface InboxOptions extends MailChrome {
  /** Defaults to "/mail". */
  basePath?: string;
  /** Seconds between automatic reloads of the inbox; omitted means no reload. */
  refreshSeconds?: number;
}

export interface MessagePageOptions extends MailChrome {
  /** Where attachment number `index` is downloaded, when a route serves it. */
  attachmentHref?: (index: number) => string;
  /** Defaults to "/mail". */
  basePath?: string;
  /** Where the .eml source can be downloaded, when a route serves it. */
  rawHref?: string;
}

const chromeOf = (o: MailChrome): MailChrome => ({
  ...(o.locale ? { locale: o.locale } : {}),
  ...(o.here ? { here: o.here } : {}),
  ...(o.user ? { user: o.user } : {}),
});

/** The list of caught messages, in the order given (MailCatcher.messages() is newest first). */
export function renderInbox(messages: readonly CaughtMessage[], opts: InboxOptions = {}): string {
  return render(
    h(InboxPage, {
      ...chromeOf(opts),
      messages,
      basePath: opts.basePath ?? '/mail',
      ...(opts.refreshSeconds === undefined ? {} : { refreshSeconds: opts.refreshSeconds }),
    }),
  );
}

/** One message: summary, HTML part in a sandboxed frame, text part, full headers and attachments. */
export function renderMessagePage(message: CaughtMessage, opts: MessagePageOptions = {}): string {
  return render(
    h(MessagePage, {
      ...chromeOf(opts),
      message,
      basePath: opts.basePath ?? '/mail',
      ...(opts.rawHref ? { rawHref: opts.rawHref } : {}),
      ...(opts.attachmentHref ? { attachmentHref: opts.attachmentHref } : {}),
    }),
  );
}
