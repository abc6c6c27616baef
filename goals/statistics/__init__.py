"""Kennzahlen read from official statistics: the formats (base.FORMATS), the reading of a
folder or ZIP file into records, and the plan that turns records into Kennzahlen."""
