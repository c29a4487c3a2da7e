"""Who may see or do what: live tickets, guessing limits per client address, the join URL."""
