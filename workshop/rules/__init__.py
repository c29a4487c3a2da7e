"""The method's rules, pure: steps and what each needs, timers, voting and counting, text cleaning
and limits, secrets and join codes, named errors. Nothing here touches the database."""
