/** A connection URL with its password replaced by `***`, fit for logs and health answers. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
