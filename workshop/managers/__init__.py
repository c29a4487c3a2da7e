"""The managers' part: the archive's index and search, analytics, the hand-off to account managers
and marketers, read-only links, and one workshop's full record."""
