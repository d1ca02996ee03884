import { escapeHtml } from '../../lib/html.js';

/**
 * The provider's own error page (a bad client id or redirect URI at the
 * authorisation endpoint), in the look of Lifeline's centred cards. It never
 * redirects anywhere: the request could not be trusted.
 */
export function oauthErrorPage(error: string, description: string | undefined) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed · Lifeline</title>
<style>
  body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; background: #f8f9fa; color: #212529; }
  main { max-width: 28rem; margin: 10vh auto; background: #fff; border: 1px solid #dee2e6; border-radius: 8px; padding: 2rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
  p { line-height: 1.5; }
  code { color: #c92a2a; }
</style>
</head>
<body>
<main role="main">
  <h1>This sign-in cannot continue</h1>
  <p>${escapeHtml(description ?? 'The request was not valid.')}</p>
  <p><small>Error: <code>${escapeHtml(error)}</code>. Ask your Lifeline admin to check the connector app.</small></p>
</main>
</body>
</html>`;
}
