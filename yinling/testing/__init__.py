"""Test support shared by every app: personas, the org tree, permission-test mixins.

It sits above every domain app (it builds retirees and roles), so it lives outside core."""
