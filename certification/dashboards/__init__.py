"""Manager dashboards and reports: the certification matrix, technician profiles, coverage and
lapses, training and knowledge health, and their exports. Every read goes through the manager's
scope (``portal.selectors``); administrators see the whole network."""
