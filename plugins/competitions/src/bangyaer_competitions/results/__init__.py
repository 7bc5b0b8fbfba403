"""Results: aggregation, ranking, awards, 公示, appeals and finalising."""
