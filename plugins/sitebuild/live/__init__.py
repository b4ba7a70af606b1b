"""The live loop behind ``invoke livereload``: watch, rebuild what changed, reload the tab.

``loop`` (the watch-and-rebuild loop), ``shortcut`` (one post rewritten without a build),
``relist`` (the kept generators list the posts again, for a staged build) and ``reload``
(the server and its reload events).
"""

from .loop import CannotListen, LiveSite, serve

__all__ = ["CannotListen", "LiveSite", "serve"]
