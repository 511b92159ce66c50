"""Care's do_* actions by area (plans.py: plans and events; visits.py; campaigns.py; policies.py: 一人一策),
and selectors.py, the read-only queries pages and the API share."""
