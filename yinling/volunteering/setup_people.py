"""Registrations of the people half: roles' grants, navigation, tiles, panels, related lists, seeder."""


def register() -> None:
    pass
