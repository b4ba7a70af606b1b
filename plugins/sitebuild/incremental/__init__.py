"""Incremental rendering: only the pages whose inputs changed are rendered and written.

``writer`` (Pelican's writer, taught to skip), ``fingerprints`` (what each page depends on)
and ``ledger`` (what the last good tree holds, kept between builds).
"""
