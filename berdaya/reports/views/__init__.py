"""The pages of the reports app: one module per capability (dashboard, map, supervision, awards)."""
