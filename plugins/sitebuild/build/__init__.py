"""Build: Pelican into a staging folder under a lock, swapped in only when clean.

``staged`` runs the build, ``report`` is what it returns, ``tree`` the output folder on disk.
"""
