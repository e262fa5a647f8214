"""Where state is kept: tracker and lock stores, the reports database, retention
(purge), and local servers for tests.
"""
