"""Follow-up after a decision: actions with an owner, a deadline and a status until done."""
