/**
 * The pages of a PDF as text (pdfjs-dist, in a child process: its legacy build is an ES module
 * jest on Node 20 cannot load), and the layout every briefing must keep: A4, the TLP label in
 * header and footer and "Page i of n" on every page, no page holding only those, and at most
 * four pages before the annex.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PdfPage {
  /** The page's text, whitespace collapsed to single spaces. */
  text: string;
  /** In points. */
  width: number;
  height: number;
}

export const A4 = { width: 595.28, height: 841.89 };

export function pdfPages(pdf: Buffer): PdfPage[] {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-text-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const out = execFileSync(process.execPath, [join(__dirname, 'pdf-text.mjs'), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return (JSON.parse(out) as PdfPage[]).map((p) => ({ ...p, text: p.text.replace(/\s+/g, ' ').trim() }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Checks the briefing layout of `pages` marked `label` ("TLP:RED") and answers the index of the
 * annex's first page (the content before it is at most four pages).
 */
export function expectBriefingLayout(pages: PdfPage[], label: string): number {
  expect(pages.length).toBeGreaterThanOrEqual(2);
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  pages.forEach((p, i) => {
    const where = `page ${i + 1}`;
    expect({ where, width: Math.round(p.width * 100) / 100, height: Math.round(p.height * 100) / 100 }).toEqual({ where, ...A4 });
    // once in the header, once in the footer, nowhere else
    expect({ where, labels: p.text.match(new RegExp(`${escaped}(?![A-Z+])`, 'g'))?.length ?? 0 }).toEqual({ where, labels: 2 });
    expect({ where, numbered: p.text.includes(`Page ${i + 1} of ${pages.length}`) }).toEqual({ where, numbered: true });
    // something besides the marking and the number: no page holds only a footer
    const body = p.text.split(label).join(' ').replace(`Page ${i + 1} of ${pages.length}`, ' ').replace(/\s+/g, '');
    expect({ where, moreThanMarkings: body.length > 40 }).toEqual({ where, moreThanMarkings: true });
  });
  const annex = pages.findIndex((p) => p.text.startsWith('Annex'));
  expect(annex).toBeGreaterThanOrEqual(1);
  expect(annex).toBeLessThanOrEqual(4);
  return annex;
}
