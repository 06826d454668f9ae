"""A table as the dashboards show and export it: one shape for the page, XLSX and CSV, so an
export always holds exactly what the page shows (and everything, not one page of it)."""

from dataclasses import dataclass, field


@dataclass
class Table:
    """``rows`` are lists of plain values (str, int, float, date, datetime, None) in the order
    of ``headers``. ``title`` names the sheet in a workbook."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)
