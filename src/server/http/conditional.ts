/** If-None-Match names this entity tag (weak comparison, RFC 9110 section 13.1.2), or is `*`. */
export function ifNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== 'string' || !header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === bare;
  });
}
