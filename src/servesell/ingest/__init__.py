"""Read user files (customer tables, offer catalogs, profile schemas) with row-level errors."""

from servesell.ingest.catalog import CatalogReport, read_catalog, validate_offer
from servesell.ingest.load import import_customers, import_records, load_catalog
from servesell.ingest.rejects import ImportReport, Reject
from servesell.ingest.schema import read_schema_file
from servesell.ingest.tabular import read_table

__all__ = [
    "CatalogReport",
    "ImportReport",
    "Reject",
    "import_customers",
    "import_records",
    "load_catalog",
    "read_catalog",
    "read_schema_file",
    "read_table",
    "validate_offer",
]
