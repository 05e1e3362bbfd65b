"""Mergeable statistics over records: create / add / merge / extract."""
