"""Finding lifecycle: pure reconcile(), filter criteria, suppression, aggregation, the finding store."""
