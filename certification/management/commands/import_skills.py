from portal.management.commands._import_base import ImportCommand


class Command(ImportCommand):
    help = "Import or update the skills catalogue from a CSV/XLSX file (columns: see README)."
    kind = "skills"
