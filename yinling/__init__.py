"""Yinling (银龄): the service and management platform for retired cadres."""
