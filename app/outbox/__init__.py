"""The mail outbox: e-mails queued in the transaction that causes them, sent after commit."""
