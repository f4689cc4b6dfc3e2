// A Markdown table on stdout: readable in a terminal and pasted as is into docs/performance.md.

export interface Row {
  bench: string;
  figure: string;
  target: string;
  verdict: string;
  integrity: string;
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  console.log(line(header));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(row));
}
