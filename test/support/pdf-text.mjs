// Prints the pages of a PDF (file path in argv[2]) as a JSON array of { text, width, height }
// (width and height in points: A4 is 595.28 x 841.89), with pdfjs-dist's legacy build (an ES
// module, which jest on Node 20 cannot load in-process).
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const doc = await getDocument({ data: new Uint8Array(readFileSync(process.argv[2])), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
const pages = [];
for (let i = 1; i <= doc.numPages; i++) {
  const page = await doc.getPage(i);
  const content = await page.getTextContent();
  const [x0, y0, x1, y1] = page.view;
  pages.push({
    text: content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : ' ') : '')).join(''),
    width: x1 - x0,
    height: y1 - y0,
  });
}
process.stdout.write(JSON.stringify(pages));
