/** What a message says; the layout turns it into matching text and HTML bodies. */
export interface MailContent {
  subject: string;
  /** Paragraphs of plain text (escaped in the HTML body). */
  paragraphs: string[];
  /** A button in HTML, a bare link in text. */
  action?: { label: string; url: string };
  /** Closing lines, e.g. "If you did not ask for this, ignore this message." */
  footer?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** Renders the text and HTML bodies of a message. */
export function renderMail(content: MailContent): { text: string; html: string } {
  const text = [
    ...content.paragraphs,
    ...(content.action ? [`${content.action.label}: ${content.action.url}`] : []),
    ...(content.footer ? [content.footer] : []),
  ].join('\n\n');
  const paragraphs = content.paragraphs.map((line) => `<p>${escapeHtml(line)}</p>`);
  const action = content.action
    ? [
        `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:10px 16px;background:#5cb85c;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(content.action.label)}</a></p>`,
        `<p style="font-size:12px;color:#666">${escapeHtml(content.action.url)}</p>`,
      ]
    : [];
  const footer = content.footer
    ? [`<p style="font-size:12px;color:#666">${escapeHtml(content.footer)}</p>`]
    : [];
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif;line-height:1.5">',
    ...paragraphs,
    ...action,
    ...footer,
    '</body></html>',
  ].join('\n');
  return { text: `${text}\n`, html };
}
