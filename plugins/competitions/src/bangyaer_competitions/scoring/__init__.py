"""Pure judging arithmetic with no database: assignment, aggregation, ranking, awards."""
