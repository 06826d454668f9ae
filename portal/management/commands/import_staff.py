from ._import_base import ImportCommand


class Command(ImportCommand):
    help = "Import or update staff from a CSV/XLSX file (columns: see README)."
    kind = "staff"
