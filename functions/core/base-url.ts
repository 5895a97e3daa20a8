import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The API's own base URL as the caller reached it (stage path included, no trailing `/`),
 * for absolute links to the API itself (sitemap `<loc>`s, feed self links). Taken from what
 * API Gateway puts in the proxy event, never from configuration, so it is right for every
 * stage without a circular reference between the API and its functions' environment:
 *
 * - host: `requestContext.domainName` (`{id}.execute-api.{region}.amazonaws.com` deployed),
 *   or the `Host` header when an event has none;
 * - scheme and port: the `X-Forwarded-Proto` and `X-Forwarded-Port` headers API Gateway
 *   sets (`https`, `443` deployed; the default port is left out);
 * - path prefix: `requestContext.path` (the path as called) without the trailing `path`
 *   (the resource path): `/{stage}` on the execute-api domain, `''` where the URL has no
 *   stage segment (the local server, like a custom domain); `/{stage}` when the two do not
 *   line up.
 *
 * The local server and the deploy rehearsal build their events the same way, so locally it
 * is `http://127.0.0.1:{port}` (the host as the client named it).
 */
export function apiBaseUrl(event: APIGatewayProxyEvent): string {
  const header = (name: string) =>
    Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1] ?? undefined;
  const context = event.requestContext;
  const scheme = header('x-forwarded-proto')?.trim().toLowerCase() === 'http' ? 'http' : 'https';
  const port = header('x-forwarded-port')?.trim();
  const defaultPort = scheme === 'https' ? '443' : '80';
  const portPart = port !== undefined && /^[0-9]{1,5}$/.test(port) && port !== defaultPort ? `:${port}` : '';
  const calledPath = context.path ?? '';
  const prefix =
    event.path !== undefined && calledPath.endsWith(event.path)
      ? calledPath.slice(0, calledPath.length - event.path.length)
      : `/${context.stage}`;
  const host = context.domainName || header('host')?.replace(/:[0-9]+$/, '');
  // A DNS name, an IPv4 address or a bracketed IPv6 one: nothing that could add a path or query.
  if (!host || !/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$/.test(host)) {
    throw new TypeError('the request names no usable host');
  }
  // Parsed, so that a host that is no URL host fails here rather than deep in an XML writer.
  const url = new URL(`${scheme}://${host}${portPart}${prefix}`);
  return url.href.replace(/\/+$/, '');
}
