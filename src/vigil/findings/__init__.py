"""Finding lifecycle: pure reconcile(), filters, suppression, aggregation, the finding store."""
