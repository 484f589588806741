import type { Cell } from './csv.ts';
import type { ExportDocument, ExportKind } from './read.ts';

/** A CSV import layout of an accounting product: its columns and a document's records. */
export interface CsvLayout {
  /** The header record, exactly as the product's template names the columns. */
  columns: readonly string[];
  /** The records of one posted invoice or credit note (one per line, plus adjustments). */
  records(doc: ExportDocument): Cell[][];
}

/** A product's layouts by the kind exported; a kind it cannot hold in one file is absent. */
export type CsvFormat = {
  name: string;
  layout(kind: ExportKind): CsvLayout | null;
};
