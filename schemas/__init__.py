"""wirebeam's data contracts (``models``, with the enrichment tables of ``enrichment``) and generated schemas."""

from schemas import models  # noqa: F401 - loads ``models`` before ``enrichment``, which builds on it
