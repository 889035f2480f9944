"""Read models built from the event log; each module applies a page of feed events."""
