/** Parts of a multipart/related response (RFC 2387): lower-case headers and body text each. */
export async function multipartParts(res: Response): Promise<Array<{ headers: Record<string, string>; body: string }>> {
  const type = res.headers.get('content-type') ?? '';
  if (!/^multipart\/related;/.test(type)) throw new Error(`not multipart/related: ${type}`);
  const boundary = /boundary="?([^";]+)"?/.exec(type)![1];
  const text = await res.text();
  if (!text.endsWith(`--${boundary}--\r\n`)) throw new Error('multipart body has no closing boundary');
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((raw) => {
      const [head, ...body] = raw.replace(/^\r\n/, '').split('\r\n\r\n');
      const headers = Object.fromEntries(head.split('\r\n').map((l) => [l.split(':')[0].toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      return { headers, body: body.join('\r\n\r\n').replace(/\r\n$/, '') };
    });
}
