import { BadRequestException } from '@nestjs/common';

/** How long matching may take per stream: a pattern must never hold the service. */
export const GREP_BUDGET_MS = 250;
/** Patterns that can take exponential time (nested or adjacent repetition, back-references) are refused. */
const RISKY = [/\([^)]*[+*][^)]*\)\s*[+*{]/, /\\[1-9]/, /(\.\*){3,}/];

/** A line filter from `grep`: a plain substring, or `/pattern/flags` (flags i only) for a regular expression. */
export function lineFilter(grep: string): (line: string) => boolean {
  const re = /^\/(.+)\/(i?)$/.exec(grep);
  if (!re) return (line) => line.includes(grep);
  if (RISKY.some((r) => r.test(re[1]))) {
    throw new BadRequestException('grep: this regular expression can take exponential time (nested repetition or back-references); simplify it or search for a plain substring.');
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(re[1], re[2]);
  } catch (err) {
    throw new BadRequestException(`grep: not a valid regular expression (${(err as Error).message}); write /pattern/ or /pattern/i, or a plain substring.`);
  }
  return (line) => pattern.test(line);
}

/** The lines that match, the last `keep` of them, within the time budget (the answer says when it ran out). */
export function grepLines(lines: string[], match: (line: string) => boolean, keep: number): { lines: string[]; scanned: number; outOfTime: boolean } {
  const started = Date.now();
  const out: string[] = [];
  // newest first, so the budget is spent on the lines that matter most
  let i = lines.length - 1;
  for (; i >= 0 && out.length < keep; i--) {
    if (match(lines[i])) out.push(lines[i]);
    if ((i & 255) === 0 && Date.now() - started > GREP_BUDGET_MS) return { lines: out.reverse(), scanned: lines.length - i, outOfTime: true };
  }
  return { lines: out.reverse(), scanned: lines.length - 1 - i, outOfTime: false };
}
