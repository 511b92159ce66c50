"""志愿汇's do_* actions, by area: volunteers.py and teams.py (people), activities.py and attendance.py
(sign-up, check-in, hours, flags); selectors.py holds the read-only queries pages and the API share."""
