import { HttpStatus } from '@nestjs/common';

/** An HTTP status's reason phrase, as the error bodies name it: 404 -> Not Found. */
export function statusText(status: number): string {
  const text = (HttpStatus as unknown as Record<number, string>)[status];
  // HttpStatus names are upper case: words become capitalised, the acronyms stay (URI Too Long, HTTP Version ...)
  return text ? text.split('_').map((w) => (w === 'URI' || w === 'HTTP' ? w : w[0] + w.slice(1).toLowerCase())).join(' ') : 'Error';
}
