"""Registrations of the activities half: roles' grants, navigation, tiles, jobs."""


def register() -> None:
    pass
