/** Contracts of the one Handlebars environment; see template/index.ts. */

/** A variable a template refers to, with its offset in the template source (0-based). */
export type TemplateReference = {
  /** First path segment: `company_name` for `{{company_name}}` or `{{company_name.x}}`. */
  name: string;
  offset: number;
  line: number;
  column: number;
  /** Length of the whole path as written (`../company_name.x`), for underlining. */
  length?: number;
};

/** A template compiled at load time; rendering inserts values as data, never re-rendered. */
export type CompiledTemplate = {
  source: string;
  references: TemplateReference[];
  render(context: Record<string, string>): string;
};
