"""The GDPR audit log: who saw, exported, changed or erased whose data, when, and why."""
